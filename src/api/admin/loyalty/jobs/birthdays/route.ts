import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyJobsService from "../../../../../services/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { Refusals, type RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

// No `now` override, like the other job routes: time travel is for tests and for `medusa-loyalty birthdays --now`.
const Body = z.object({}).strict()

const int = () => z.number().int().min(0)
const BirthdayCounts = z.strictObject({
  local_date: z.string().meta({ description: "the store-local date celebrated (program timezone)" }),
  candidates: int(), awarded: int(), already: int(), recent_change: int(), refused: int(), no_rule: int(), failed: int(),
}).meta({ id: "BirthdayCounts" })

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
