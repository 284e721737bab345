// Test-only host config: @medusajs/test-utils boots the plugin's own source as an app (never published: excluded
// in tsconfig and not in package.json "files").
import { defineConfig, loadEnv } from "@medusajs/framework/utils"
loadEnv(process.env.NODE_ENV || "development", process.cwd())

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: { storeCors: "*", adminCors: "*", authCors: "*", jwtSecret: "test", cookieSecret: "test" },
  },
  admin: { disable: true },
  modules: [{ resolve: "./src/modules/loyalty", options: {} }],
})
