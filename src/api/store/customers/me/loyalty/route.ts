import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { route } from "../../../../_shared/handler"
import { currentCustomerId, memberSummary } from "../../../../_shared/members"
import { MemberSummary } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * GET /store/customers/me/loyalty → the logged-in customer's account, their next points to expire and the next tier
 * (`{ code, name, threshold, points_needed }`, null at the top or without tiers).
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json({ loyalty_account: await memberSummary(req, currentCustomerId(req), new Date()) })
})

export const openapi: RouteDocs = {
  GET: { summary: "My loyalty account, my next points to expire and my next tier", query: NoQuery, response: z.strictObject({ loyalty_account: MemberSummary }) },
}
