import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { describeRules, reloadRefusal } from "../../../../../core/domain/http/rules-admin"
import { loyaltyOf, route } from "../../../../../lib/http"
import { reconcilePromotions } from "../../../../../workflows/promotions/reconcile"

const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/rules/reload → { rules, promotions }: re-reads the rules directory and makes a valid rulebook
 * live (stored by version). Invalid → 400 { type, code: "RULES_INVALID", message, issues } and the previous rulebook
 * stays live (docs/api.md). `promotions`: the member promotions reconcile (POST /admin/loyalty/promotions/reconcile).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  const loyalty = loyaltyOf(req)
  const state = loyalty.reloadRules()
  if (state.error) {
    res.status(400).json({ type: "invalid_data", code: "RULES_INVALID", message: reloadRefusal(state), issues: describeRules(state).last_reload_error!.issues })
    return
  }
  await loyalty.rememberRulebook(state)
  // The rulebook is live either way, so the answer is 200: a reconcile failure comes back as promotions: { error }.
  const promotions = await reconcilePromotions(req.scope).catch((e: Error) => ({ error: e.message }))
  res.json({ rules: describeRules(state), promotions })
})
