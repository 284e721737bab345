// Test-only host config: @medusajs/test-utils boots the plugin's own source as an app (never published: excluded
// in tsconfig and not in package.json "files").
import { defineConfig, loadEnv } from "@medusajs/framework/utils"
loadEnv(process.env.NODE_ENV || "development", process.cwd())

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: { storeCors: "*", adminCors: "*", authCors: "*", jwtSecret: "test", cookieSecret: "test" },
  },
  // The admin is off for the HTTP suites; the browser test (integration-tests/admin) serves it with `medusa develop`.
  admin: { disable: process.env.LOYALTY_V2_ADMIN !== "true" },
  // LOYALTY_V2_RULES_DIR: a suite's own rules (integration-tests/http/jobs.spec.ts); the package's rules/ otherwise.
  // LOYALTY_V2_WATCH_RULES=true: watch_rules (integration-tests/http/parity-ops.spec.ts).
  modules: [{
    resolve: "./src/modules/loyalty",
    options: {
      ...(process.env.LOYALTY_V2_RULES_DIR ? { rules_dir: process.env.LOYALTY_V2_RULES_DIR } : {}),
      ...(process.env.LOYALTY_V2_WATCH_RULES === "true" ? { watch_rules: true } : {}),
    },
  }],
})
