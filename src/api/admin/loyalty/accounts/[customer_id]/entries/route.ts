import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyLedgerService from "../../../../../../services/loyalty-ledger"
import { route } from "../../../../../_shared/handler"
import { memberAccount } from "../../../../../_shared/members"
import { serializeEntry } from "../../../../../_shared/serialize"
import { PageQuery, parseInput } from "../../../../../_shared/validate"

/** GET /admin/loyalty/accounts/:customer_id/entries?limit&offset → that customer's entries, newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const page = parseInput(PageQuery, req.query, "query")
  const account = await memberAccount(req, req.params.customer_id)
  const ledger: LoyaltyLedgerService = req.scope.resolve("loyaltyLedgerService")
  const [entries, count] = await ledger.listEntries(account.customer_id, page)
  res.json({ entries: entries.map(serializeEntry), count, ...page })
})
