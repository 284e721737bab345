import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../core/domain/http/request-input"
import { loyaltyOf, route } from "../../../../lib/http"
import { redemptionVerifyProblems } from "../../../../workflows/redemption/verify"

/** GET /admin/loyalty/verify → the integrity report (the core's checks); 200 with ok: false and the problems on drift. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const report = await loyaltyOf(req).verifyLedger()
  // Redemption codes are money at the checkout, so they are verified too: a used code is settled by exactly one order.
  const redemptions = await redemptionVerifyProblems(req.scope)
  res.json({ ...report, ok: report.ok && !redemptions.length, problems: [...report.problems, ...redemptions] })
})
