import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PageQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { serializeEntry } from "../../../../../../core/domain/http/views"
import { currentCustomerId, loyaltyOf, route } from "../../../../../../lib/http"
import { Entry, listPage } from "../../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../../core/domain/http/route-docs"

/** GET /store/customers/me/loyalty/entries?limit&offset → my ledger entries, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const [entries, count] = await loyaltyOf(req).pageEntries(currentCustomerId(req), page)
  res.json({ entries: entries.map(serializeEntry), count, ...page })
})

export const openapi: RouteDocs = {
  GET: { summary: "My ledger entries, newest first", query: PageQuery, response: listPage("entries", Entry) },
}
