import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PageQuery, parseInput } from "../../../../../../core/domain/http/request-input"
import { serializeEntry } from "../../../../../../core/domain/http/views"
import { route } from "../../../../../../lib/http"
import { memberEntries } from "../../../../../../workflows/members/member-account"
import { Entry, listPage } from "../../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../../core/domain/http/route-docs"

/** GET /admin/loyalty/accounts/:customer_id/entries?limit&offset → the customer's entries, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const [entries, count] = await memberEntries(req.scope, req.params.customer_id, page)
  res.json({ entries: entries.map(serializeEntry), count, ...page })
})

export const openapi: RouteDocs = {
  GET: { summary: "A customer's ledger entries, newest first", query: PageQuery, response: listPage("entries", Entry), errors: [Refusals.notFound("no such customer")] },
}
