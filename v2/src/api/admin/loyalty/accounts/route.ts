import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { AccountListQuery, parseInput } from "../../../../core/domain/http/request-input"
import { serializeAccount } from "../../../../core/domain/http/views"
import { route } from "../../../../lib/http"
import { listAccounts } from "../../../../workflows/members/account-list"
import { AccountWithEmail, listPage } from "../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../core/domain/http/route-docs"

/** GET /admin/loyalty/accounts?q&tier&limit&offset → accounts (with the customer's email), newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { q, tier, ...page } = parseInput(AccountListQuery, req.query, "query")
  const { accounts, count, tiers } = await listAccounts(req.scope, { q, tier }, page)
  res.json({ loyalty_accounts: accounts.map((a) => serializeAccount(a, tiers)), count, ...page })
})

export const openapi: RouteDocs = {
  GET: { summary: "Loyalty accounts with the customer's email, newest first", query: AccountListQuery, response: listPage("loyalty_accounts", AccountWithEmail) },
}
