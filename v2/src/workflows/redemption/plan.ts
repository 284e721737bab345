/**
 * A redemption before anything is written: points → a personal single-use v2 promotion code (figures:
 * core/domain/ledger/redemption.ts). The code is a `standard` promotion with `limit: 1` and a `customer.id eq
 * <member>` rule (v2 then applies it only to the member's carts), a fixed amount off the order in the currency of
 * the region or cart it was redeemed for.
 */
import { randomBytes } from "crypto"
import { generateEntityId } from "@medusajs/framework/utils"
import { canonicalJson, sha256Hex } from "../../core/domain/shared/canonical-json"
import { currencyDecimals } from "../../core/domain/shared/currency"
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { checkRedemption, redemptionAmountMinor, redemptionCode, redemptionExpiresAt, REDEMPTION_CODE_RANDOM_BYTES } from "../../core/domain/ledger/redemption"
import { EntryKeys } from "../../core/domain/ledger/entry-keys"
import { loyaltyOf, promotionsOf, queryOf, type Resolver } from "../../lib/container"
import { toMajorUnits } from "../../lib/money"
import type { NewRedemption, RedemptionRow } from "../../modules/loyalty/types"

/** The rule that makes a code personal (recipe §5: another customer's or a guest's cart does not take it). */
export const CUSTOMER_RULE_ATTRIBUTE = "customer.id"
const CODE_ATTEMPTS = 5

export type RedeemInput = { customer_id: string; points: number; region_id?: string; cart_id?: string; client_key: string }

/** What the redeem workflow will write, decided before anything is written (or the stored redemption of a replay). */
export type RedemptionPlan =
  | { replay: RedemptionRow }
  | {
      replay: null
      /** The member's Idempotency-Key: the ledger entry's key is the core's EntryKeys.redemption of it. */
      client_key: string
      /** The row to insert: the promotion is created later in the workflow, so none yet. */
      redemption: NewRedemption & { promotion_id: null }
    }

function invalid(message: string, field: string): LoyaltyError {
  return new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, message, { field })
}

/**
 * Input checks, replay detection and the code's figures, before anything is written. Same client key and request →
 * the stored redemption; same key, another request → IDEMPOTENCY_CONFLICT. The balance checked here is advisory (no
 * promotion is created for a member who cannot pay); the debit checks it again under the lock.
 */
export async function planRedemption(scope: Resolver, input: RedeemInput, now: Date = new Date()): Promise<RedemptionPlan> {
  const { customer_id, points, region_id, cart_id } = input
  if (!region_id === !cart_id) throw invalid("exactly one of region_id or cart_id is required", "region_id")
  const loyalty = loyaltyOf(scope)
  const program = loyalty.getRulebook().program
  checkRedemption(points, Number.MAX_SAFE_INTEGER, program)
  const idempotency_key = EntryKeys.redemption(customer_id, input.client_key)
  const payload_hash = sha256Hex(canonicalJson({ points, region_id: region_id ?? null, cart_id: cart_id ?? null }))
  const [stored] = await loyalty.findRedemptions({ idempotency_key })
  if (stored) {
    if (stored.payload_hash !== payload_hash) {
      throw new LoyaltyError(
        LoyaltyErrorCodes.IDEMPOTENCY_CONFLICT,
        "This Idempotency-Key was already used for a different redemption request; use a new key for a new redemption",
        { idempotency_key: input.client_key }
      )
    }
    return { replay: stored }
  }
  const target = await resolveTarget(scope, customer_id, region_id, cart_id)
  const amount_minor = redemptionAmountMinor(points, program, currencyDecimals(target.currency_code))
  if (amount_minor <= 0) throw invalid(`points ${points} are worth less than one minor unit of ${target.currency_code}`, "points")
  const account = await loyalty.findAccount(customer_id)
  checkRedemption(points, account?.points_balance ?? 0, program)
  return {
    replay: null,
    client_key: input.client_key,
    redemption: {
      id: generateEntityId(undefined, "lred"),
      customer_id,
      points,
      amount_minor,
      currency_code: target.currency_code,
      region_id: target.region_id,
      code: await freshCode(scope),
      promotion_id: null,
      cart_id: cart_id ?? null,
      expires_at: redemptionExpiresAt(now, program),
      idempotency_key,
      payload_hash,
    },
  }
}

/** The region (and currency) the code is for: the given region, or the region of the customer's own open cart. */
async function resolveTarget(scope: Resolver, customer_id: string, region_id?: string, cart_id?: string): Promise<{ region_id: string | null; currency_code: string }> {
  const query = queryOf(scope)
  if (cart_id) {
    const { data } = await query.graph({ entity: "cart", fields: ["id", "customer_id", "region_id", "currency_code", "completed_at"], filters: { id: cart_id } })
    const cart = data[0]
    if (!cart || cart.customer_id !== customer_id) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Cart ${cart_id} was not found`, { field: "cart_id", cart_id })
    }
    if (cart.completed_at) throw invalid(`cart ${cart_id} is already completed`, "cart_id")
    return { region_id: cart.region_id ?? null, currency_code: cart.currency_code }
  }
  const { data } = await query.graph({ entity: "region", fields: ["id", "currency_code"], filters: { id: region_id } })
  if (!data[0]) throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Region ${region_id} was not found`, { field: "region_id", region_id })
  return { region_id: data[0].id, currency_code: data[0].currency_code }
}

/** A code no promotion and no redemption has (40 random bits make a retry rare). */
async function freshCode(scope: Resolver): Promise<string> {
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const code = redemptionCode(randomBytes(REDEMPTION_CODE_RANDOM_BYTES))
    const [promotions, redemptions] = await Promise.all([
      promotionsOf(scope).listPromotions({ code }, { select: ["id"], withDeleted: true }),
      loyaltyOf(scope).findRedemptions({ code }),
    ])
    if (!promotions.length && !redemptions.length) return code
  }
  throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `no free promotion code after ${CODE_ATTEMPTS} attempts`)
}

/** The v2 promotion of a redemption: single use, the member's only, a fixed amount off the order. Created as a draft. */
export function promotionInput(r: { code: string; customer_id: string; amount_minor: number; currency_code: string }) {
  return {
    code: r.code,
    type: "standard",
    status: "draft",
    is_automatic: false,
    limit: 1,
    application_method: {
      type: "fixed",
      target_type: "order",
      allocation: "across",
      value: toMajorUnits(r.amount_minor, currencyDecimals(r.currency_code)),
      currency_code: r.currency_code,
    },
    rules: [{ attribute: CUSTOMER_RULE_ATTRIBUTE, operator: "eq", values: [r.customer_id] }],
  }
}
