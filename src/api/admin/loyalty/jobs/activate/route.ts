import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyJobsService from "../../../../../services/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { ActivationCounts } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/activate → activates the pending points whose conditions hold (period over, payment captured; server clock). */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  res.json({ activation: await req.scope.resolve<LoyaltyJobsService>("loyaltyJobsService").activate(new Date()) })
})

export const openapi: RouteDocs = {
  POST: { summary: "Run the activation job: pending points whose conditions hold become available", query: NoQuery, body: Body, response: z.strictObject({ activation: ActivationCounts }) },
}
