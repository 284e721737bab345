const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")
MetadataStorage.clear()
// The plugin's scheduled jobs (src/jobs) must not fire in the middle of a suite: suites call the job functions.
process.env.LOYALTY_SCHEDULED_JOBS = process.env.LOYALTY_SCHEDULED_JOBS || "off"
