const { loadEnv } = require("@medusajs/framework/utils")
loadEnv("test", process.cwd())

// TEST_TYPE picks the suite: unit (src/.../__tests__/*.unit.spec.ts), integration:http (integration-tests/http).
module.exports = {
  transform: {
    "^.+\\.[jt]s$": ["@swc/jest", { jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" } }],
  },
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "json"],
  modulePathIgnorePatterns: ["dist/", "<rootDir>/.medusa/"],
  modulePaths: ["<rootDir>/node_modules"],
  setupFiles: ["./integration-tests/setup.js"],
  globalSetup: "./integration-tests/global-setup.js",
  testTimeout: 300000,
}

if (process.env.TEST_TYPE === "integration:http") {
  module.exports.testMatch = ["**/integration-tests/http/*.spec.[jt]s"]
} else if (process.env.TEST_TYPE === "admin") {
  module.exports.testMatch = ["**/integration-tests/admin/*.spec.[jt]s"]
} else if (process.env.TEST_TYPE === "pack") {
  module.exports.testMatch = ["**/integration-tests/pack/*.spec.[jt]s"]
} else if (process.env.TEST_TYPE === "unit") {
  module.exports.testMatch = ["**/src/**/__tests__/**/*.unit.spec.[jt]s", "**/integration-tests/unit/*.spec.[jt]s"]
}
