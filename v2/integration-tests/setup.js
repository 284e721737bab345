const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")
MetadataStorage.clear()
// The plugin's scheduled jobs (src/jobs) must not fire in the middle of a suite: suites call the job functions.
process.env.LOYALTY_SCHEDULED_JOBS = process.env.LOYALTY_SCHEDULED_JOBS || "off"
// Nor the start-up promotions reconcile (src/jobs/loyalty-promotions-at-boot.ts): suites reconcile when they test it.
process.env.LOYALTY_RECONCILE_PROMOTIONS_AT_BOOT = process.env.LOYALTY_RECONCILE_PROMOTIONS_AT_BOOT || "off"
