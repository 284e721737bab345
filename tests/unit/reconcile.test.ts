import { LoyaltyError } from "../../src/domain/shared/errors"
import {
  countApplied,
  emptyReconcileResult,
  failureCode,
  formatReconcileReport,
  ReconcileCandidate,
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
