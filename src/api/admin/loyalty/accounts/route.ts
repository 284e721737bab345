import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyLedgerService from "../../../../services/loyalty-ledger"
import { route } from "../../../_shared/handler"
import { serializeAccount } from "../../../_shared/serialize"
import { assertTierCode, liveTiers } from "../../../_shared/tiers"
import { AccountWithEmail, listPage } from "../../../_shared/response-schemas"
import type { RouteDocs } from "../../../_shared/route-docs"
import { AccountListQuery as Query, parseInput } from "../../../_shared/validate"

/** GET /admin/loyalty/accounts?q&tier&limit&offset → accounts (with the customer's email), newest first; `tier` is a ladder code. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { q, tier, ...page } = parseInput(Query, req.query, "query")
  const tiers = liveTiers(req)
  if (tier !== undefined) assertTierCode(tiers, tier, "query.tier")
  const ledger: LoyaltyLedgerService = req.scope.resolve("loyaltyLedgerService")
  const [accounts, count] = await ledger.listAccounts({ q, tier }, page)
  res.json({ loyalty_accounts: accounts.map((a) => serializeAccount(a, tiers)), count, ...page })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "Loyalty accounts with the customer's email, newest first",
    query: Query,
    response: listPage("loyalty_accounts", AccountWithEmail),
  },
}
