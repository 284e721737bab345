import { LoyaltyError } from "../../src/domain/shared/errors"
import {
  countApplied,
  emptyReconcileResult,
  failureCode,
  formatReconcileReport,
  compareReconcileCandidates,
  reconcileCandidate,
  ReconcileCandidate,
  ReconcileEvent,
  reconcileWindow,
  tallyCandidate,
  tallyFailure,
} from "../../src/domain/ledger/reconcile"

const NOW = new Date("2026-03-31T12:00:00Z")
const window = { since: new Date("2026-03-01T00:00:00Z"), until: NOW }

describe("reconcileWindow", () => {
  it("looks default_days back from now when nothing is given", () => {
    expect(reconcileWindow({ now: NOW, default_days: 30 })).toEqual({ since: new Date("2026-03-01T12:00:00Z"), until: NOW })
  })

  it("counts the default days back from an explicit until", () => {
    const until = new Date("2026-02-10T00:00:00Z")
    expect(reconcileWindow({ until, now: NOW, default_days: 7 })).toEqual({ since: new Date("2026-02-03T00:00:00Z"), until })
  })

  it("keeps an explicit since, however far back (a deliberate backfill)", () => {
    const since = new Date("2020-01-01T00:00:00Z")
    expect(reconcileWindow({ since, now: NOW, default_days: 30 })).toEqual({ since, until: NOW })
  })

  it.each([
    ["since equal to until", { since: NOW }, "since"],
    ["since after until", { since: new Date("2026-04-01T00:00:00Z") }, "since"],
    ["an invalid since", { since: new Date(NaN) }, "since"],
    ["an invalid until", { until: new Date(NaN) }, "until"],
  ])("refuses %s as INVALID_INPUT naming the field", (_name, input, field) => {
    let error: unknown
    try {
      reconcileWindow({ ...input, now: NOW, default_days: 30 })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(LoyaltyError)
    expect(error).toMatchObject({ code: "INVALID_INPUT", details: { field } })
  })
})

describe("tallying a run", () => {
  const candidate = (c: Partial<ReconcileCandidate>): ReconcileCandidate => ({
    kind: "accrual",
    order_id: "order_1",
    refund_id: null,
    customer_id: "cus_1",
    at: NOW,
    ...c,
  })

  it("counts posted candidates as applied by kind, replays as already seen, no-ops as skipped, every candidate once as scanned", () => {
    const r = emptyReconcileResult(window, null)
    tallyCandidate(r, "accrual", "posted")
    tallyCandidate(r, "accrual", "posted")
    tallyCandidate(r, "reversal", "posted")
    tallyCandidate(r, "clawback", "replayed")
    tallyCandidate(r, "clawback", "skipped")
    countApplied(r, "clawback") // another refund of the same order written by the same sweep…
    tallyCandidate(r, "clawback", "posted_by_sweep") // …found as a candidate too: scanned, not applied twice
    expect(r).toEqual({
      since: "2026-03-01T00:00:00.000Z",
      until: "2026-03-31T12:00:00.000Z",
      limit: null,
      scanned: 6,
      applied: { accruals: 2, reversals: 1, clawbacks: 1 },
      already_seen: 1,
      skipped: 1,
      failures: [],
      complete: true,
    })
  })

  it("records a failure with the order, the refund and a stable code, and counts it as scanned", () => {
    const r = emptyReconcileResult(window, 10)
    tallyFailure(r, candidate({ kind: "clawback", refund_id: "ref_1" }), new LoyaltyError("NOT_FOUND", "no accrual yet"))
    tallyFailure(r, candidate({ order_id: "order_2" }), Object.assign(new Error("Order was not found"), { type: "not_found" }))
    tallyFailure(r, candidate({ order_id: "order_3" }), new Error("connection reset"))
    expect(r.scanned).toBe(3)
    expect(r.failures).toEqual([
      { kind: "clawback", order_id: "order_1", refund_id: "ref_1", code: "NOT_FOUND", message: "no accrual yet" },
      { kind: "accrual", order_id: "order_2", refund_id: null, code: "NOT_FOUND", message: "Order was not found" },
      { kind: "accrual", order_id: "order_3", refund_id: null, code: "UNEXPECTED", message: "connection reset" },
    ])
  })

  it.each([
    [new LoyaltyError("RULES_UNAVAILABLE", "x"), "RULES_UNAVAILABLE"],
    [{ type: "invalid_data" }, "INVALID_DATA"],
    [{ type: "not a code!" }, "UNEXPECTED"],
    ["a string", "UNEXPECTED"],
    [null, "UNEXPECTED"],
  ])("failureCode(%p) = %s", (error, code) => {
    expect(failureCode(error)).toBe(code)
  })
})

describe("formatReconcileReport", () => {
  it("prints the window, the counts, every failure and whether the limit stopped the run", () => {
    const r = emptyReconcileResult(window, 2)
    tallyCandidate(r, "accrual", "posted")
    tallyFailure(r, { kind: "clawback", order_id: "order_9", refund_id: "ref_9", customer_id: "cus_9", at: NOW }, new LoyaltyError("NOT_FOUND", "no accrual"))
    r.complete = false
    expect(formatReconcileReport(r)).toBe(
      [
        "reconcile 2026-03-01T00:00:00.000Z .. 2026-03-31T12:00:00.000Z (limit 2)",
        "  missed events found: 2",
        "  applied: 1 accrual(s), 0 reversal(s), 0 clawback(s)",
        "  already seen: 0, nothing to write: 0, failed: 1",
        "  FAILED clawback order order_9 refund ref_9: NOT_FOUND no accrual",
        "  stopped at the limit: run again to continue",
      ].join("\n")
    )
  })
})

describe("reconcileCandidate (the rule both adapters apply to the window's order events)", () => {
  const at = new Date("2026-03-10T00:00:00Z")
  const base: ReconcileEvent = {
    kind: "accrual", order_id: "order_1", refund_id: null, customer_id: "cus_1", member: true, at,
    order_canceled: false, order_created_in_window: true, accrued: false, cancel_seen: false, refund_seen: false,
  }
  const refund = { ...base, kind: "clawback" as const, refund_id: "ref_1" }
  const reversal = { ...base, kind: "reversal" as const, order_canceled: true }
  it.each([
    ["an order placed without its accrual is a missed accrual", base, true],
    ["an order already accrued is not", { ...base, accrued: true }, false],
    ["a guest's order is never missed (guests earn nothing)", { ...base, member: false }, false],
    ["an order with no customer is never missed", { ...base, customer_id: null }, false],
    ["a canceled order is never awarded", { ...base, order_canceled: true }, false],
    ["an order with a cancel entry (a tombstone) is settled", { ...base, cancel_seen: true }, false],
    ["a canceled order without its cancel entry is a missed reversal", reversal, true],
    ["a canceled order whose cancel was handled is not", { ...reversal, cancel_seen: true }, false],
    ["a guest's cancel is never missed", { ...reversal, member: false }, false],
    ["a refund of an accrued order without its entry is a missed clawback", { ...refund, accrued: true }, true],
    ["a refund of an order accrued by this run (created in the window, not canceled) is one too", refund, true],
    ["a refund already clawed back is not", { ...refund, accrued: true, refund_seen: true }, false],
    ["a refund of an order from before the window that never earned here is not", { ...refund, order_created_in_window: false }, false],
    ["a refund of a canceled order never accrued is not", { ...refund, order_canceled: true }, false],
    ["a refund of an order whose cancel took everything back is not", { ...refund, accrued: true, cancel_seen: true }, false],
  ] as Array<[string, ReconcileEvent, boolean]>)("%s", (_name, event, missed) => {
    const candidate = reconcileCandidate(event)
    expect(candidate).toEqual(missed ? { kind: event.kind, order_id: event.order_id, refund_id: event.refund_id, customer_id: event.customer_id, at } : null)
  })

  it("orders candidates by event time, then by refund or order id, then by kind", () => {
    const c = (kind: ReconcileCandidate["kind"], order_id: string, refund_id: string | null, iso: string): ReconcileCandidate =>
      ({ kind, order_id, refund_id, customer_id: "cus_1", at: new Date(iso) })
    const list = [
      c("clawback", "order_a", "ref_b", "2026-03-02T00:00:00Z"),
      c("reversal", "order_b", null, "2026-03-01T00:00:00Z"),
      c("accrual", "order_b", null, "2026-03-01T00:00:00Z"),
      c("accrual", "order_a", null, "2026-03-01T00:00:00Z"),
    ]
    expect([...list].sort(compareReconcileCandidates).map((x) => `${x.kind}:${x.refund_id ?? x.order_id}`)).toEqual([
      "accrual:order_a", "accrual:order_b", "reversal:order_b", "clawback:ref_b",
    ])
  })
})
