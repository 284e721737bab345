import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyJobsService from "../../../../../services/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { TierCounts } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

// No `now` override: a later clock would really end grace periods. Time travel is for tests and `medusa-loyalty tiers --now`.
const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/tiers → re-evaluates every member's tier and group as of the server clock. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  res.json({ tiers: await req.scope.resolve<LoyaltyJobsService>("loyaltyJobsService").tiers(new Date()) })
})

export const openapi: RouteDocs = {
  POST: { summary: "Run the tiers job: re-evaluate every member's tier and group", query: NoQuery, body: Body, response: z.strictObject({ tiers: TierCounts }) },
}
