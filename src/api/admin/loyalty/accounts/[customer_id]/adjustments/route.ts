import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyLedgerService from "../../../../../../services/loyalty-ledger"
import type LoyaltyRulesService from "../../../../../../services/loyalty-rules"
import { route } from "../../../../../_shared/handler"
import { adminUserId, memberAccount } from "../../../../../_shared/members"
import { serializeAccount, serializeEntry } from "../../../../../_shared/serialize"
import { liveTiers } from "../../../../../_shared/tiers"
import { idempotencyKeyOf, parseInput } from "../../../../../_shared/validate"

const Body = z
  .object({
    points: z.number().int().refine((n) => n !== 0, "must not be 0").refine(Number.isSafeInteger, "is too large"),
    reason: z.string().trim().min(1).max(500),
  })
  .strict()

/**
 * POST /admin/loyalty/accounts/:customer_id/adjustments { points, reason } + Idempotency-Key → { entry,
 * loyalty_account }. A debit may take the balance below zero only when the program allows negative balances.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  const key = idempotencyKeyOf(req)
  const body = parseInput(Body, req.body, "body")
  const account = await memberAccount(req, req.params.customer_id)
  const program = req.scope.resolve<LoyaltyRulesService>("loyaltyRulesService").getRulebook().program
  const result = await req.scope.resolve<LoyaltyLedgerService>("loyaltyLedgerService").post({
    customer_id: account.customer_id,
    kind: "adjustment",
    points: body.points,
    reason: body.reason,
    actor_id: adminUserId(req),
    idempotency_key: `adjustment:${key}`,
    floor: program.negative_balance === "allow" ? "allow" : "refuse",
  })
  res.json({ entry: serializeEntry(result.entry), loyalty_account: serializeAccount(result.account, liveTiers(req)) })
})
