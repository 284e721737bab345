import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PageQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { serializeEntry } from "../../../../../../core/domain/http/views"
import { loyaltyOf, memberAccount, route } from "../../../../../../lib/http"

/** GET /admin/loyalty/accounts/:customer_id/entries?limit&offset → the customer's entries, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const account = await memberAccount(req, req.params.customer_id)
  const [entries, count] = await loyaltyOf(req).pageEntries(account.customer_id, page)
  res.json({ entries: entries.map(serializeEntry), count, ...page })
})
