/**
 * Spreading one amount over a cart's lines: a platform that can only lower a cart's total line by line (Medusa v1's
 * line-item adjustments) shows points paid for the whole cart as one share per line.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"

/** A line the amount may land on and how much of it there is to pay (its goods, in minor units). */
export interface SpreadLine {
  id: string
  goods_minor: number
}

/**
 * Splits `amount_minor` over `lines` in proportion to their goods, by largest remainder (ties: the line listed
 * first), so the shares are integers.
 * Invariants: the shares sum to exactly `amount_minor`; no share exceeds its line's goods; lines without goods get 0;
 * deterministic for the same input. LEDGER_INVARIANT when the lines' goods cannot hold the amount.
 */
export function spreadAmountMinor(amount_minor: number, lines: readonly SpreadLine[]): { id: string; amount_minor: number }[] {
  assertCount(amount_minor, "amount_minor")
  for (const l of lines) assertCount(l.goods_minor, `goods_minor of ${l.id}`)
  const total = lines.reduce((sum, l) => sum + BigInt(l.goods_minor), BigInt(0))
  if (BigInt(amount_minor) > total) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `cannot spread ${amount_minor} over lines worth ${total}`, { amount_minor, goods_minor: Number(total) })
  }
  if (amount_minor === 0) return lines.map((l) => ({ id: l.id, amount_minor: 0 }))
  const shares = lines.map((l, index) => {
    const exact = BigInt(amount_minor) * BigInt(l.goods_minor)
    return { id: l.id, index, amount: exact / total, remainder: exact % total }
  })
  let left = BigInt(amount_minor) - shares.reduce((sum, s) => sum + s.amount, BigInt(0))
  // Each floor lost less than one unit, so `left` < number of lines, and a line with a remainder has room for one more.
  const byRemainder = [...shares].sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1))
  for (const s of byRemainder) {
    if (left === BigInt(0)) break
    if (s.remainder === BigInt(0)) continue
    s.amount += BigInt(1)
    left -= BigInt(1)
  }
  return shares.map((s) => ({ id: s.id, amount_minor: Number(s.amount) }))
}

function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new LoyaltyError(LoyaltyErrorCodes.LEDGER_INVARIANT, `${field} must be a safe integer ≥ 0, got ${value}`, { field })
  }
}
