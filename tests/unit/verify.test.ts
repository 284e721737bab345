import {
  duplicateKeyProblems,
  formatVerifyReport,
  VerifyAccountRow,
  VerifyAccumulator,
  verifyAccount,
  VerifyEntryRow,
} from "../../src/domain/ledger/verify"

const CUS = "cus_1"
let n = 0
/** An entry that continues `prev` consistently (balance_after / pending_after chained). */
const chain = (rows: Array<[kind: string, points: number, pending?: number]>): VerifyEntryRow[] => {
  let balance = 0
  let pending = 0
  return rows.map(([kind, points, pending_delta = 0]) => {
    balance += points
    pending += pending_delta
    return { id: `lent_${++n}`, customer_id: CUS, kind, points, balance_after: balance, pending_delta, pending_after: pending }
  })
}
const account = (a: Partial<VerifyAccountRow>): VerifyAccountRow => ({
  customer_id: CUS,
  points_balance: 0,
  points_pending: 0,
  points_lifetime: 0,
  ...a,
})
const tamper = (entries: VerifyEntryRow[], i: number, change: Partial<VerifyEntryRow>) =>
  entries.map((e, j) => (j === i ? { ...e, ...change } : e))

describe("verifyAccount: a consistent ledger has no problems", () => {
  it.each([
    ["an account without entries", [], account({})],
    ["an accrual", chain([["accrual", 223]]), account({ points_balance: 223, points_lifetime: 223 })],
    [
      "accrual, redemption, expiry (redemptions and expiry do not lower lifetime)",
      chain([["accrual", 500], ["redemption", -300], ["expiry", -200]]),
      account({ points_balance: 0, points_lifetime: 500 }),
    ],
    [
      "a pending accrual, a pending clawback, then its activation",
      chain([["accrual", 0, 223], ["clawback", 0, -23], ["activation", 200, -200]]),
      account({ points_balance: 200, points_pending: 0, points_lifetime: 200 }),
    ],
    [
      "a clawback below zero: balance may be negative, lifetime clamps at 0 like planPosting",
      chain([["accrual", 100], ["redemption", -100], ["clawback", -100], ["accrual", 50]]),
      account({ points_balance: -50, points_lifetime: 50 }),
    ],
  ])("%s", (_name, entries, acc) => {
    expect(verifyAccount(acc, entries)).toEqual([])
  })
})

describe("verifyAccount: drift is reported precisely (check, expected from the entries, actual stored)", () => {
  const base = chain([["accrual", 223], ["adjustment", -23], ["accrual", 100]])
  const ok = account({ points_balance: 300, points_lifetime: 300 })

  it("reports a changed `points` once at the entry and once on the cached balance (the chain resumes)", () => {
    const entries = tamper(base, 1, { points: -16 })
    expect(verifyAccount(ok, entries)).toEqual([
      { customer_id: CUS, check: "balance_chain", expected: 207, actual: 200, entry_id: base[1].id },
      { customer_id: CUS, check: "points_balance", expected: 307, actual: 300 },
      { customer_id: CUS, check: "points_lifetime", expected: 307, actual: 300 },
    ])
  })

  it.each<[string, Partial<VerifyAccountRow>, unknown[]]>([
    ["a cached balance off by one", { points_balance: 301 }, [{ check: "points_balance", expected: 300, actual: 301 }]],
    ["a cached lifetime off", { points_lifetime: 10 }, [{ check: "points_lifetime", expected: 300, actual: 10 }]],
    [
      "negative cached pending",
      { points_pending: -5 },
      [{ check: "points_pending", expected: 0, actual: -5 }, { check: "negative_pending", expected: 0, actual: -5 }],
    ],
  ])("reports %s", (_name, change, expected) => {
    expect(verifyAccount({ ...ok, ...change }, base)).toEqual(expected.map((p) => ({ customer_id: CUS, ...(p as object) })))
  })

  it("reports a broken balance_after and pending_after chain at the entry", () => {
    const entries = tamper(base, 2, { balance_after: 999, pending_after: 4 })
    expect(verifyAccount(ok, entries)).toEqual([
      { customer_id: CUS, check: "balance_chain", expected: 300, actual: 999, entry_id: base[2].id },
      { customer_id: CUS, check: "pending_chain", expected: 0, actual: 4, entry_id: base[2].id },
    ])
  })

  it("reports an entry leaving pending below zero", () => {
    const entries = chain([["accrual", 0, 10], ["clawback", 0, -15]])
    expect(verifyAccount(account({ points_pending: -5 }), entries)).toEqual([
      { customer_id: CUS, check: "negative_pending", expected: 0, actual: -5, entry_id: entries[1].id },
      { customer_id: CUS, check: "negative_pending", expected: 0, actual: -5 },
    ])
  })

  it("reports an entry of another customer and an unknown kind", () => {
    const entries = tamper(tamper(base, 0, { customer_id: "cus_other" }), 1, { kind: "gift" })
    expect(verifyAccount(ok, entries)).toEqual([
      { customer_id: CUS, check: "entry_customer", expected: CUS, actual: "cus_other", entry_id: base[0].id },
      { customer_id: CUS, check: "unknown_kind", expected: expect.stringContaining("accrual|"), actual: "gift", entry_id: base[1].id },
      // an unknown kind does not count towards lifetime: its -23 is not subtracted
      { customer_id: CUS, check: "points_lifetime", expected: 323, actual: 300 },
    ])
  })
})

describe("duplicateKeyProblems: every later holder of a key is reported, the first one is legitimate", () => {
  it.each([
    ["no rows", [], []],
    [
      "a key used twice",
      [
        { id: "a", customer_id: "c1", idempotency_key: "order:1:accrual" },
        { id: "b", customer_id: "c2", idempotency_key: "order:1:accrual" },
      ],
      [{ customer_id: "c2", check: "duplicate_idempotency_key", expected: '"order:1:accrual" used once (by a)', actual: "also used by b", entry_id: "b" }],
    ],
  ])("%s", (_name, rows, expected) => {
    expect(duplicateKeyProblems(rows)).toEqual(expected)
  })
})

describe("the report", () => {
  it("counts accounts and entries, is ok only without problems, and formats one line per problem", () => {
    const acc = new VerifyAccumulator()
    const entries = chain([["accrual", 10]])
    acc.addAccount(account({ points_balance: 10, points_lifetime: 10 }), entries)
    acc.addAccount(account({ customer_id: "cus_2", points_balance: 3 }), [])
    const report = acc.report()
    expect(report).toMatchObject({ ok: false, accounts_checked: 2, entries_checked: 1 })
    expect(report.problems).toEqual([{ customer_id: "cus_2", check: "points_balance", expected: 0, actual: 3 }])
    expect(formatVerifyReport(report)).toBe(
      "DRIFT: 2 account(s), 1 entry checked, 1 problem(s)\n  cus_2  points_balance: expected 0, actual 3"
    )
    const clean = new VerifyAccumulator()
    clean.addAccount(account({}), [])
    expect(clean.report()).toEqual({ ok: true, accounts_checked: 1, entries_checked: 0, problems: [] })
  })
})
