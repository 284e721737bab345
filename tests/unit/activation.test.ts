import { activationDecision, activationEntryDraft, activationReason, type ActivationFacts } from "../../src/domain/ledger/activation"
import { EntryKeys } from "../../src/domain/ledger/entry-keys"

const NOW = new Date("2030-06-15T12:00:00Z")
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000)
const facts = (f: Partial<ActivationFacts>): ActivationFacts => ({ pending_days: 0, spendable_on: "placed", gone_out_at: null, captured_at: null, ...f })

describe("activationDecision: pending points activate when every condition the accrual was awarded under holds", () => {
  it.each<[string, Partial<ActivationFacts>, ReturnType<typeof activationDecision>]>([
    ["pending_days only: waits for the order to go out", { pending_days: 14 }, { due: false, waiting_for: "fulfillment" }],
    ["pending_days only: waits out the period after it went out", { pending_days: 14, gone_out_at: daysAgo(13) }, { due: false, waiting_for: "pending_period" }],
    ["pending_days only: due exactly when the period ends", { pending_days: 14, gone_out_at: daysAgo(14) }, { due: true, eligible_since: NOW }],
    ["pending_days only: a capture is not needed", { pending_days: 14, gone_out_at: daysAgo(20) }, { due: true, eligible_since: daysAgo(6) }],
    ["captured only: waits for the capture, fulfilled or not", { spendable_on: "captured", gone_out_at: daysAgo(30) }, { due: false, waiting_for: "capture" }],
    ["captured only: due at the capture, unfulfilled", { spendable_on: "captured", captured_at: daysAgo(1) }, { due: true, eligible_since: daysAgo(1) }],
    ["both: captured but not gone out", { pending_days: 7, spendable_on: "captured", captured_at: daysAgo(30) }, { due: false, waiting_for: "fulfillment" }],
    ["both: captured, period not over", { pending_days: 7, spendable_on: "captured", captured_at: daysAgo(30), gone_out_at: daysAgo(6) }, { due: false, waiting_for: "pending_period" }],
    ["both: period over, not captured", { pending_days: 7, spendable_on: "captured", gone_out_at: daysAgo(30) }, { due: false, waiting_for: "capture" }],
    ["both: the later condition (capture) sets the moment", { pending_days: 7, spendable_on: "captured", gone_out_at: daysAgo(30), captured_at: daysAgo(2) }, { due: true, eligible_since: daysAgo(2) }],
    ["both: the later condition (period) sets the moment", { pending_days: 7, spendable_on: "captured", gone_out_at: daysAgo(10), captured_at: daysAgo(20) }, { due: true, eligible_since: daysAgo(3) }],
    ["neither (a hand-written pending accrual): nothing to wait for", {}, { due: true, eligible_since: NOW }],
  ])("%s", (_label, f, expected) => {
    expect(activationDecision(facts(f), NOW)).toEqual(expected)
  })
})

describe("activationReason names what the points waited for", () => {
  it.each<[Partial<ActivationFacts>, string]>([
    [{ pending_days: 14 }, "pending period of 14 days over"],
    [{ spendable_on: "captured" }, "payment captured"],
    [{ pending_days: 7, spendable_on: "captured" }, "pending period of 7 days over and payment captured"],
  ])("%j → %s", (f, reason) => {
    expect(activationReason(facts(f))).toBe(reason)
  })
})

describe("activationEntryDraft moves points from pending to the balance and records what they waited for", () => {
  const waited = facts({ pending_days: 14, gone_out_at: daysAgo(20) })
  const common = { points: 120, pending_points: -120, kind: "activation", customer_id: "cus_1" }
  const details = { pending_days: 14, spendable_on: "placed", eligible_since: daysAgo(6).toISOString(), gone_out_at: daysAgo(20).toISOString(), captured_at: null }
  it.each<[string, Parameters<typeof activationEntryDraft>[0], Record<string, unknown>]>([
    [
      "an order's own points carry the order",
      { customer_id: "cus_1", idempotency_key: "order:o1:activation", points: 120, facts: waited, eligible_since: daysAgo(6), order_id: "o1" },
      { ...common, idempotency_key: "order:o1:activation", order_id: "o1", reason: "pending period of 14 days over", details },
    ],
    [
      "a pending award is named by its entry; its order stays in details (the order's entries are its member's)",
      {
        customer_id: "cus_1", idempotency_key: EntryKeys.awardActivation("action:referral:referrer:cus_2"), points: 120, facts: waited, eligible_since: daysAgo(6),
        award: { entry_id: "lle_9", order_id: "o2", reference: "referral referrer:cus_2" },
      },
      {
        ...common, idempotency_key: "action:referral:referrer:cus_2:activation", source_id: "lle_9",
        reason: "pending period of 14 days over: referral referrer:cus_2", details: { activation_of: "lle_9", order_id: "o2", ...details },
      },
    ],
  ])("%s", (_label, input, expected) => {
    expect(activationEntryDraft(input)).toEqual(expected)
  })
})
