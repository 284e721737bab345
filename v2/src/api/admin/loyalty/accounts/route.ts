import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "../../../../core/domain/shared/errors"
import { PageQuery, parseInput } from "../../../../core/domain/http/request-input"
import { serializeAccount } from "../../../../core/domain/http/views"
import { liveTiers, loyaltyOf, queryOf, route } from "../../../../lib/http"

const Query = PageQuery.extend({ q: z.string().trim().min(1).max(200).optional(), tier: z.string().trim().min(1).max(40).optional() }).strict()

/** GET /admin/loyalty/accounts?q&tier&limit&offset → accounts (with the customer's email), newest first. */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const { q, tier, ...page } = parseInput(Query, req.query, "query")
  const tiers = liveTiers(req)
  if (tier !== undefined && tiers && !tiers.tiers.some((t) => t.code === tier)) {
    throw new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `Invalid request: query.tier: unknown tier "${tier}" (tiers: ${tiers.tiers.map((t) => t.code).join(", ")})`)
  }
  const query = queryOf(req)
  let customer_ids: string[] | undefined
  if (q !== undefined) {
    const { data } = await query.graph({ entity: "customer", fields: ["id"], filters: { email: { $ilike: `%${q}%` } } })
    customer_ids = data.map((c: { id: string }) => c.id)
  }
  const [accounts, count] = await loyaltyOf(req).pageAccounts({ q, tier, customer_ids }, page)
  const emails = new Map<string, string>()
  if (accounts.length) {
    const { data } = await query.graph({ entity: "customer", fields: ["id", "email"], filters: { id: accounts.map((a) => a.customer_id) } })
    for (const c of data) emails.set(c.id, c.email)
  }
  res.json({
    loyalty_accounts: accounts.map((a) => serializeAccount({ ...a, email: emails.get(a.customer_id) ?? null }, tiers)),
    count,
    ...page,
  })
})
