import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { AdjustmentBody } from "../../../../../../domain/http/request-input"
import type LoyaltyLedgerService from "../../../../../../services/loyalty-ledger"
import type LoyaltyRulesService from "../../../../../../services/loyalty-rules"
import { route } from "../../../../../_shared/handler"
import { adminUserId, memberAccount } from "../../../../../_shared/members"
import { serializeAccount, serializeEntry } from "../../../../../_shared/serialize"
import { liveTiers } from "../../../../../_shared/tiers"
import { adjustmentsDocs } from "../../../../../../domain/http/contracts/ledger"
import { idempotencyKeyOf, NoQuery, parseInput } from "../../../../../_shared/validate"
import { adjustmentEntryDraft } from "../../../../../../domain/ledger/adjustment"

/**
 * POST /admin/loyalty/accounts/:customer_id/adjustments { points, reason } + Idempotency-Key → { entry,
 * loyalty_account }. A debit may take the balance below zero only when the program allows negative balances.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const key = idempotencyKeyOf(req)
  const body = parseInput(AdjustmentBody, req.body, "body")
  const account = await memberAccount(req, req.params.customer_id)
  const program = req.scope.resolve<LoyaltyRulesService>("loyaltyRulesService").getRulebook().program
  const draft = adjustmentEntryDraft({
    customer_id: account.customer_id,
    points: body.points,
    reason: body.reason,
    actor_id: adminUserId(req),
    client_key: key,
    negative_balance: program.negative_balance,
  })
  const result = await req.scope.resolve<LoyaltyLedgerService>("loyaltyLedgerService").post(draft)
  res.json({ entry: serializeEntry(result.entry), loyalty_account: serializeAccount(result.account, liveTiers(req)) })
})

export const openapi = adjustmentsDocs
