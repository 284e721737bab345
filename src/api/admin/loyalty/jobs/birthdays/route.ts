import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyJobsService from "../../../../../services/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { BirthdayCounts } from "../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

// No `now` override, like the other job routes: time travel is for tests and for `medusa-loyalty birthdays --now`.
const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/birthdays → awards the birthday action to members whose birthday is today (store time). */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  res.json({ birthdays: await req.scope.resolve<LoyaltyJobsService>("loyaltyJobsService").birthdays(new Date()) })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Run the birthdays job: the birthday action for members whose birthday is today in the program's time zone",
    description: "Once per member and year (reference `<customer>:<year>`); a birthday set or changed in the last 30 days earns nothing. The scheduled job runs hourly.",
    query: NoQuery,
    body: Body,
    response: z.strictObject({ birthdays: BirthdayCounts }),
    errors: [Refusals.rulesUnavailable],
  },
}
