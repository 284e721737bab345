import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyLedgerService from "../../../../../../services/loyalty-ledger"
import { route } from "../../../../../_shared/handler"
import { currentCustomerId } from "../../../../../_shared/members"
import { serializeEntry } from "../../../../../_shared/serialize"
import { Entry, listPage } from "../../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../../_shared/route-docs"
import { PageQuery, parseInput } from "../../../../../_shared/validate"

/** GET /store/customers/me/loyalty/entries?limit&offset → my ledger entries, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const ledger: LoyaltyLedgerService = req.scope.resolve("loyaltyLedgerService")
  const [entries, count] = await ledger.listEntries(currentCustomerId(req), page)
  res.json({ entries: entries.map(serializeEntry), count, ...page })
})

export const openapi: RouteDocs = {
  GET: { summary: "My ledger entries, newest first", query: PageQuery, response: listPage("entries", Entry) },
}
