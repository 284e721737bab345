import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyLedgerService from "../../../../services/loyalty-ledger"
import { route } from "../../../_shared/handler"
import { serializeAccount } from "../../../_shared/serialize"
import { assertTierCode, liveTiers } from "../../../_shared/tiers"
import { AccountWithEmail, listPage } from "../../../_shared/response-schemas"
import type { RouteDocs } from "../../../_shared/route-docs"
import { PageQuery, parseInput } from "../../../_shared/validate"

const Query = PageQuery.extend({
  q: z.string().trim().min(1).max(200).optional().meta({ description: "a substring of the customer's email or id, case-insensitive" }),
  tier: z.string().trim().min(1).max(40).optional().meta({ description: "a tier code of the ladder (unknown: 400 with a suggestion)" }),
}).strict()

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
