import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyJobsService from "../../../../../services/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { ExpiryCounts, ReminderCounts, VoidCounts } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

// No `now` override: a run with a later clock would really expire members' points. Time travel is for tests
// (the service in-process) and for operators (`medusa-loyalty expire --now`).
const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/expire → voids expired redemption codes, then expires points, as of the server clock. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const { expiry, redemptions, reminders } = await req.scope.resolve<LoyaltyJobsService>("loyaltyJobsService").expire(new Date())
  res.json({ expiry, redemptions, reminders })
})

export const openapi: RouteDocs = {
  POST: { summary: "Run the expire job: void expired redemption codes, expire points, then remind members whose points expire soon (loyalty.points_expiring)", query: NoQuery, body: Body, response: z.strictObject({ expiry: ExpiryCounts, redemptions: VoidCounts.nullable(), reminders: ReminderCounts }) },
}
