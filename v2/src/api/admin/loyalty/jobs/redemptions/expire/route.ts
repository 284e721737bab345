import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { route } from "../../../../../../lib/http"
import { expireRedemptionsWorkflow } from "../../../../../../workflows/redemption/workflows"
import { VoidCounts } from "../../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../../core/domain/http/route-docs"

// No `now` override: a later clock would really void members' codes. Tests call expireRedemptions(now).
const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/redemptions/expire → voids expired unused codes (points back), as of the server clock. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const { result } = await expireRedemptionsWorkflow(req.scope).run({ input: {} })
  res.json({ redemptions: result })
})

export const openapi: RouteDocs = {
  POST: { summary: "Void expired unused redemption codes (their points come back)", query: NoQuery, body: Body, response: z.strictObject({ redemptions: VoidCounts }) },
}
