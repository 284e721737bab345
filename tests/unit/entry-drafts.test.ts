import { actionDecision, actionReversalEntryDraft } from "../../src/domain/ledger/action"
import { adjustmentEntryDraft, compensationEntryDraft } from "../../src/domain/ledger/adjustment"
import { EntryKeys } from "../../src/domain/ledger/entry-keys"
import { payloadHash } from "../../src/domain/ledger/ledger"
import { clawbackDecision, orderLedgerState, reversalEntryDraft, type OrderEntry } from "../../src/domain/ledger/order-ledger"
import { redemptionEntryDraft, redemptionVoidEntryDraft } from "../../src/domain/ledger/redemption"

/** An accrual entry as stored: `pending` puts its points in pending_delta. */
const accrual = (points: number, order_total_minor: number, pending = false): OrderEntry => ({
  kind: "accrual",
  points: pending ? 0 : points,
  pending_delta: pending ? points : 0,
  details: { order_total_minor },
})
const clawback = (points: number, refund_minor: number): OrderEntry => ({ kind: "clawback", points: -points, pending_delta: 0, details: { refund_minor } })
const tombstone: OrderEntry = { kind: "reversal", points: 0, pending_delta: 0, details: { tombstone: true } }

describe("EntryKeys: one spelling per business event, forever", () => {
  // Keys already stored in merchants' ledgers: a changed spelling would let a redelivered event count twice.
  it.each([
    ["accrual", EntryKeys.accrual("order_1"), "order:order_1:accrual"],
    ["reversal", EntryKeys.reversal("order_1"), "order:order_1:cancel"],
    ["clawback", EntryKeys.clawback("ref_1"), "refund:ref_1"],
    ["activation", EntryKeys.activation("order_1"), "order:order_1:activation"],
    ["award activation", EntryKeys.awardActivation("action:referral:referrer:cus_2"), "action:referral:referrer:cus_2:activation"],
    ["adjustment", EntryKeys.adjustment("k-1"), "adjustment:k-1"],
    ["redemption", EntryKeys.redemption("cus_1", "k-1"), "redemption:cus_1:k-1"],
    ["redemption void", EntryKeys.redemptionVoid("lred_1"), "redemption_void:lred_1"],
    ["expiry", EntryKeys.expiry("cus_1", new Date("2026-12-05T23:59:59Z")), "expiry:cus_1:2026-12-05"],
    ["action", EntryKeys.action("review", "rev_9"), "action:review:rev_9"],
    ["action reversal", EntryKeys.actionReversal("referral", "referred:cus_3"), "action:referral:referred:cus_3:reversed"],
    ["compensation", EntryKeys.compensation("lent_1"), "compensation:lent_1"],
  ])("spells the %s key as before", (_kind, key, expected) => {
    expect(key).toBe(expected)
  })
})

describe("reversalEntryDraft: a cancel takes back what the order still holds", () => {
  it.each([
    ["an accrued order", [accrual(100, 5000)], "allow", { points: -100, pending_points: 0, floor: "allow" }, false],
    ["an order already partly clawed back", [accrual(100, 5000), clawback(30, 1500)], "allow", { points: -70, pending_points: 0, floor: "allow" }, false],
    ["an order whose points are pending", [accrual(100, 5000, true)], "stop_at_zero", { points: 0, pending_points: -100 }, false],
    ["an order not accrued yet (a 0-point tombstone)", [], "allow", { points: 0, pending_points: 0, floor: "allow" }, true],
  ] as const)("for %s", (_case, entries, floor, movement, is_tombstone) => {
    const draft = reversalEntryDraft({ customer_id: "cus_1", order_id: "order_1", state: orderLedgerState(entries), floor })
    expect(draft).toMatchObject({ ...movement, kind: "reversal", idempotency_key: "order:order_1:cancel", order_id: "order_1", reason: "order canceled" })
    expect(draft.details).toMatchObject({ tombstone: is_tombstone })
  })
})

describe("clawbackDecision: post, wait for the accrual, or nothing after a cancel", () => {
  const decide = (entries: OrderEntry[], refund = { id: "ref_1", amount_minor: 2500, reason: "return" as string | null }) =>
    clawbackDecision({ customer_id: "cus_1", order_id: "order_1", state: orderLedgerState(entries), refund, floor: "allow" })

  it("waits when the order has no accrual yet (the accrual sweeps its refunds)", () => {
    expect(decide([])).toEqual({ action: "wait" })
  })

  it("writes nothing for a canceled order, even one canceled before its accrual", () => {
    expect(decide([accrual(100, 5000), { ...tombstone, points: -100 }])).toEqual({ action: "nothing" })
    expect(decide([tombstone])).toEqual({ action: "nothing" })
  })

  it.each([
    ["half of the total", [accrual(100, 5000)], 2500, -50, 0],
    ["the rest after an earlier half", [accrual(100, 5000), clawback(50, 2500)], 2500, -50, 0],
    ["half of a pending order (out of pending)", [accrual(100, 5000, true)], 2500, 0, -50],
  ] as const)("claws back %s", (_case, entries, amount_minor, points, pending_points) => {
    const decision = decide([...entries], { id: "ref_2", amount_minor, reason: "return" })
    expect(decision).toMatchObject({ action: "post", draft: { kind: "clawback", points, pending_points, idempotency_key: "refund:ref_2", source_id: "ref_2" } })
  })

  it.each([
    ["a refund reason", "return", "refund (return)"],
    ["no reason", null, "refund"],
    ["an empty reason", "", "refund"],
  ])("names the refund in the reason with %s", (_case, reason, expected) => {
    const decision = decide([accrual(100, 5000)], { id: "ref_1", amount_minor: 100, reason })
    expect(decision.action === "post" && decision.draft.reason).toBe(expected)
  })
})

describe("redemption drafts: one wording on both majors", () => {
  const code = { redemption_id: "lred_1", customer_id: "cus_1", points: 500, code: "LOYAB12", amount_minor: 500, currency_code: "usd" }

  it("debits the points under the member's client key, refusing an overdraft", () => {
    expect(redemptionEntryDraft({ ...code, links: { discount_id: "disc_1" } }, "k-1")).toEqual({
      customer_id: "cus_1",
      kind: "redemption",
      points: -500,
      floor: "refuse",
      idempotency_key: "redemption:cus_1:k-1",
      source_id: "lred_1",
      reason: "redeemed for code LOYAB12 worth 500 usd (minor units)",
      details: { redemption_id: "lred_1", code: "LOYAB12", amount_minor: 500, currency_code: "usd", discount_id: "disc_1" },
    })
  })

  it("means the same on v1 and v2: only the platform link differs, not the payload hash", () => {
    const v1 = redemptionEntryDraft({ ...code, links: { discount_id: "disc_1" } }, "k-1")
    const v2 = redemptionEntryDraft({ ...code, links: { promotion_id: "promo_1" } }, "k-1")
    expect(payloadHash(v1)).toBe(payloadHash(v2))
  })

  it.each([
    ["expired", "redemption code expired unused"],
    ["negative_balance", "balance below zero after a cancel or refund: unused code voided"],
  ] as const)("gives the points back once per code when %s", (cause, reason) => {
    const draft = redemptionVoidEntryDraft({ ...code, links: { promotion_id: "promo_1" } }, cause, { balance_before: -20 })
    expect(draft).toMatchObject({ kind: "redemption_void", points: 500, idempotency_key: "redemption_void:lred_1", reason })
    expect(draft.details).toEqual({ redemption_id: "lred_1", code: "LOYAB12", promotion_id: "promo_1", balance_before: -20 })
  })
})

describe("corrections", () => {
  it.each([
    ["allow", "allow"],
    ["stop_at_zero", "refuse"],
  ] as const)("an adjustment under negative_balance %s has floor %s (never clamped)", (negative_balance, floor) => {
    const draft = adjustmentEntryDraft({ customer_id: "cus_1", points: -40, reason: "goodwill", actor_id: "usr_1", client_key: "k-9", negative_balance })
    expect(draft).toEqual({ customer_id: "cus_1", kind: "adjustment", points: -40, reason: "goodwill", actor_id: "usr_1", idempotency_key: "adjustment:k-9", floor })
  })

  it.each([
    ["an available entry", 120, 0, -120, 0],
    ["a pending entry", 0, 80, 0, -80],
    ["a 0-point tombstone (no negative zero)", 0, 0, 0, 0],
  ])("a compensation is the exact opposite of %s", (_case, points, pending_delta, back, back_pending) => {
    const draft = compensationEntryDraft({ id: "lent_1", customer_id: "cus_1", kind: "accrual", points, pending_delta })
    expect(Object.is(draft.points, back)).toBe(true)
    expect(Object.is(draft.pending_points, back_pending)).toBe(true)
    expect(draft).toMatchObject({ kind: "adjustment", idempotency_key: "compensation:lent_1", details: { compensates: "lent_1" } })
  })
})

describe("actionDecision / actionReversalEntryDraft: an action earns once, and is taken back from where its points are", () => {
  const facts = { action: { type: "review", reference: "rev_1", occurred_at: "2026-03-01T10:00:00.000Z", properties: {}, local_date: "2026-03-01", weekday: 0, hour: 10 } } as any
  const result = (points: number, refused: Array<{ rule: string; limit: string; max: number; count: number }> = []) =>
    ({ points, rule_names: points ? ["review-bonus"] : [], contributions: points ? [{ rule: "review-bonus", points }] : [], refused, rulebook_version: "v1" }) as any
  const action = { customer_id: "cus_1", type: "review", reference: "rev_1" }
  const refusal = { rule: "review-bonus", limit: "per_day", max: 1, count: 1 }

  it.each([
    ["an award posts an action entry under the action's key", result(50), undefined, "awarded", { points: 50, pending_points: 0 }],
    ["a pending award waits out of balance and lifetime", result(50), { order_id: "order_1", pending_days: 14, spendable_on: "placed", reversal_key: "k" }, "awarded", { points: 0, pending_points: 50 }],
    ["every fired rule at its limit is a refusal, no entry", result(0, [refusal]), undefined, "refused", null],
    ["no rule for the type is no_rule, no entry", result(0), undefined, "no_rule", null],
  ] as Array<[string, any, any, string, { points: number; pending_points: number } | null]>)("%s", (_name, evaluated, pending, status, movement) => {
    const decision = actionDecision({ action: { ...action, pending }, action_id: "lact_1", result: evaluated, facts })
    expect(decision.status).toBe(status)
    expect(decision.draft && { points: decision.draft.points, pending_points: decision.draft.pending_points, key: decision.draft.idempotency_key, reason: decision.draft.reason })
      .toEqual(movement && { ...movement, key: "action:review:rev_1", reason: "review rev_1" })
  })

  it("records the reason nothing was awarded, and the rules held back beside an award", () => {
    expect(actionDecision({ action, action_id: "lact_1", result: result(0), facts }).reasons).toEqual([{ message: 'no action rule applies to a "review" action' }])
    expect(actionDecision({ action, action_id: "lact_1", result: result(50, [refusal]), facts }).reasons).toEqual([refusal])
  })

  it.each([
    ["an activated award comes off the balance", false, { points: -500, pending_points: 0 }],
    ["an award still pending comes out of pending only", true, { points: 0, pending_points: -500 }],
  ])("%s", (_name, still_pending, movement) => {
    const award = { action_id: "lact_1", customer_id: "cus_2", entry_id: "lent_1", points: 500, type: "referral", reference: "referrer:cus_3", properties: { role: "referrer" } }
    const draft = actionReversalEntryDraft({ award, still_pending, floor: "stop_at_zero", why: "order order_1 canceled", details: { order_id: "order_1" } })
    expect(draft).toMatchObject({
      ...movement, kind: "action", floor: "stop_at_zero", idempotency_key: "action:referral:referrer:cus_3:reversed",
      reason: "referral referrer:cus_3 taken back: order order_1 canceled", details: { reversal_of: "lent_1", order_id: "order_1" },
    })
  })
})
