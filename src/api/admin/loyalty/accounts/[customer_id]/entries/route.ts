import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyLedgerService from "../../../../../../services/loyalty-ledger"
import { route } from "../../../../../_shared/handler"
import { memberAccount } from "../../../../../_shared/members"
import { serializeEntry } from "../../../../../_shared/serialize"
import { Entry, listPage } from "../../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../_shared/route-docs"
import { PageQuery, parseInput } from "../../../../../_shared/validate"

/** GET /admin/loyalty/accounts/:customer_id/entries?limit&offset → that customer's entries, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const account = await memberAccount(req, req.params.customer_id)
  const ledger: LoyaltyLedgerService = req.scope.resolve("loyaltyLedgerService")
  const [entries, count] = await ledger.listEntries(account.customer_id, page)
  res.json({ entries: entries.map(serializeEntry), count, ...page })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "A customer's ledger entries, newest first",
    query: PageQuery,
    response: listPage("entries", Entry),
    errors: [Refusals.notFound("no such customer")],
  },
}
