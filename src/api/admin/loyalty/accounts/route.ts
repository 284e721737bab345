import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyLedgerService from "../../../../services/loyalty-ledger"
import { route } from "../../../_shared/handler"
import { serializeAccount } from "../../../_shared/serialize"
import { PageQuery, parseInput } from "../../../_shared/validate"

const Query = PageQuery.extend({ q: z.string().trim().min(1).max(200).optional() }).strict()

/** GET /admin/loyalty/accounts?q&limit&offset → accounts (with the customer's email), newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { q, ...page } = parseInput(Query, req.query, "query")
  const ledger: LoyaltyLedgerService = req.scope.resolve("loyaltyLedgerService")
  const [accounts, count] = await ledger.listAccounts(q, page)
  res.json({ loyalty_accounts: accounts.map(serializeAccount), count, ...page })
})
