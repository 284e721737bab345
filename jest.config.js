/** Unit tests (tests/unit) run anywhere; integration tests (tests/integration) boot a real Medusa 1.20 on
 * PostgreSQL: DATABASE_URL when set, otherwise an embedded PostgreSQL started by the global setup. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] },
  transformIgnorePatterns: ["/node_modules/", "/dist/"],
  globalSetup: "<rootDir>/tests/setup/global-setup.mjs",
  globalTeardown: "<rootDir>/tests/setup/global-teardown.mjs",
  testTimeout: 180000,
}
