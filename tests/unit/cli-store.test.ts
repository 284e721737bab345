import type LoyaltyJobsService from "../../src/services/loyalty-jobs"
import type { JobsPort } from "../../src/cli/jobs"
import { bootRefusal, V2_JOBS_SCRIPT } from "../../src/cli/store"

describe("the CLI's store commands on either Medusa major", () => {
  it("calls only what the Medusa 1 jobs service has, with the results it prints (a type check)", () => {
    const fits = (service: LoyaltyJobsService): JobsPort => service
    expect(typeof fits).toBe("function")
  })

  it("boots a Medusa 1 store", () => {
    expect(bootRefusal("expire", 1, "/store")).toBeNull()
  })

  it.each(["expire", "activate", "tiers", "birthdays", "reconcile"])("tells how to run %s in a Medusa 2 store instead of booting it", (job) => {
    const told = bootRefusal(job, 2, "/store")!
    expect(told).toContain(`npx medusa exec ${V2_JOBS_SCRIPT} ${job}`)
    expect(told).toContain(`POST /admin/loyalty/jobs/${job}`)
  })

  it("points simulate by id in a Medusa 2 store to the admin route, and names a directory without Medusa", () => {
    expect(bootRefusal("simulate", 2, "/store")).toContain("POST /admin/loyalty/simulate { order_id }")
    expect(bootRefusal("tiers", null, "/tmp/x")).toBe("tiers runs in a Medusa store directory (none found in /tmp/x: @medusajs/medusa is not installed here)")
  })
})
