import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { PageQuery, parseInput } from "../../../../core/domain/http/request-input"
import { serializeAccount } from "../../../../core/domain/http/views"
import { route } from "../../../../lib/http"
import { listAccounts } from "../../../../workflows/members/account-list"

const Query = PageQuery.extend({ q: z.string().trim().min(1).max(200).optional(), tier: z.string().trim().min(1).max(40).optional() }).strict()

/** GET /admin/loyalty/accounts?q&tier&limit&offset → accounts (with the customer's email), newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { q, tier, ...page } = parseInput(Query, req.query, "query")
  const { accounts, count, tiers } = await listAccounts(req.scope, { q, tier }, page)
  res.json({ loyalty_accounts: accounts.map((a) => serializeAccount(a, tiers)), count, ...page })
})
