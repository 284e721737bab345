/**
 * Ledger integrity checks, pure: given an account's cached figures and its entries in append (`seq`) order, list
 * every place where the ledger and the caches disagree. The ledger entries are the truth, so `expected` is what the
 * entries imply and `actual` is what is stored (a cached figure or an entry's recorded `*_after`).
 *
 * Checks per account:
 * - balance_chain / pending_chain: each entry's balance_after (pending_after) = the previous one + its points
 *   (pending_delta), starting at 0. After a break the chain continues from the recorded figure, so one tampered row
 *   gives one problem, not one per later entry.
 * - points_balance / points_pending: the cached figure = Σ points (Σ pending_delta).
 * - points_lifetime: the cached figure = the entries replayed through planPosting's own lifetime rule (lifetime
 *   kinds only, clamped at 0 after each entry), so the check can never disagree with how postings compute it.
 * - negative_pending: no entry leaves pending below 0, nor the cache.
 * - entry_customer: an entry of the account names the account's customer.
 * - unknown_kind: an entry's kind is one of EntryKinds.
 * Across the ledger: duplicate_idempotency_key (the unique index forbids it; still reported if it was dropped).
 * Redemption codes (money at the checkout): redemption_unsettled (reserved while an order used its code: a lost
 * order.placed; reconcile settles it), redemption_voided_used (points given back for a code an order used),
 * redemption_reused (a code that paid for more than one order).
 */
import { EntryKind, EntryKinds, planPosting } from "./ledger"

export const VerifyChecks = [
  "balance_chain",
  "pending_chain",
  "points_balance",
  "points_pending",
  "points_lifetime",
  "negative_pending",
  "entry_customer",
  "unknown_kind",
  "duplicate_idempotency_key",
  "redemption_unsettled",
  "redemption_voided_used",
  "redemption_reused",
] as const
export type VerifyCheck = (typeof VerifyChecks)[number]

export interface VerifyAccountRow {
  customer_id: string
  points_balance: number
  points_pending: number
  points_lifetime: number
}

export interface VerifyEntryRow {
  id: string
  customer_id: string
  kind: string
  points: number
  balance_after: number
  pending_delta: number
  pending_after: number
}

export interface VerifyProblem {
  customer_id: string
  check: VerifyCheck
  expected: number | string
  actual: number | string
  entry_id?: string
  redemption_id?: string
}

/** A redemption whose code at least one order used, with those orders. */
export interface VerifyRedemptionRow {
  redemption_id: string
  customer_id: string
  status: string
  order_ids: readonly string[]
}

export interface VerifyReport {
  ok: boolean
  accounts_checked: number
  entries_checked: number
  problems: VerifyProblem[]
}

const KNOWN_KINDS: ReadonlySet<string> = new Set(EntryKinds)

/** Every problem of one account; `entries` must be in append (seq) order. Empty = consistent. */
export function verifyAccount(account: VerifyAccountRow, entries: readonly VerifyEntryRow[]): VerifyProblem[] {
  const problems: VerifyProblem[] = []
  const customer_id = account.customer_id
  const report = (check: VerifyCheck, expected: number | string, actual: number | string, entry_id?: string) =>
    problems.push({ customer_id, check, expected, actual, ...(entry_id ? { entry_id } : {}) })
  let balance = 0
  let pending = 0
  let sumPoints = 0
  let sumPending = 0
  let lifetime = 0
  for (const e of entries) {
    if (e.customer_id !== customer_id) report("entry_customer", customer_id, e.customer_id, e.id)
    if (!KNOWN_KINDS.has(e.kind)) report("unknown_kind", EntryKinds.join("|"), e.kind, e.id)
    if (e.balance_after !== balance + e.points) report("balance_chain", balance + e.points, e.balance_after, e.id)
    if (e.pending_after !== pending + e.pending_delta) report("pending_chain", pending + e.pending_delta, e.pending_after, e.id)
    if (e.pending_after < 0) report("negative_pending", 0, e.pending_after, e.id)
    balance = e.balance_after
    pending = e.pending_after
    sumPoints += e.points
    sumPending += e.pending_delta
    lifetime = lifetimeAfter(lifetime, e)
  }
  if (account.points_balance !== sumPoints) report("points_balance", sumPoints, account.points_balance)
  if (account.points_pending !== sumPending) report("points_pending", sumPending, account.points_pending)
  if (account.points_pending < 0) report("negative_pending", 0, account.points_pending)
  if (account.points_lifetime !== lifetime) report("points_lifetime", lifetime, account.points_lifetime)
  return problems
}

/**
 * One problem per extra use of an idempotency key: `rows` are every entry holding a duplicated key, in seq order;
 * the first holder is the legitimate one, each later holder is reported.
 */
export function duplicateKeyProblems(rows: ReadonlyArray<{ id: string; customer_id: string; idempotency_key: string }>): VerifyProblem[] {
  const first = new Map<string, string>()
  const problems: VerifyProblem[] = []
  for (const row of rows) {
    const holder = first.get(row.idempotency_key)
    if (holder === undefined) {
      first.set(row.idempotency_key, row.id)
      continue
    }
    problems.push({
      customer_id: row.customer_id,
      check: "duplicate_idempotency_key",
      expected: `"${row.idempotency_key}" used once (by ${holder})`,
      actual: `also used by ${row.id}`,
      entry_id: row.id,
    })
  }
  return problems
}

/**
 * The problems of redemptions whose code orders used (`rows`: only redemptions with ≥ 1 order). A used code must be
 * settled by exactly one order: reserved → redemption_unsettled; voided → redemption_voided_used (the member got the
 * points back and the discount); more than one order → redemption_reused.
 */
export function redemptionProblems(rows: readonly VerifyRedemptionRow[]): VerifyProblem[] {
  const problems: VerifyProblem[] = []
  for (const r of rows) {
    const report = (check: VerifyCheck, expected: string, actual: string) =>
      problems.push({ customer_id: r.customer_id, check, expected, actual, redemption_id: r.redemption_id })
    const orders = [...r.order_ids].sort()
    if (r.status === "reserved") report("redemption_unsettled", `settled (used by order ${orders.join(", ")})`, "reserved")
    if (r.status === "voided") report("redemption_voided_used", `settled (used by order ${orders.join(", ")})`, "voided")
    if (orders.length > 1) report("redemption_reused", "used by 1 order", `used by ${orders.length} orders: ${orders.join(", ")}`)
  }
  return problems
}

/** Accumulates per-account results into a report (problems kept in the order found). */
export class VerifyAccumulator {
  private accounts = 0
  private entries = 0
  private readonly problems: VerifyProblem[] = []

  addAccount(account: VerifyAccountRow, entries: readonly VerifyEntryRow[]): void {
    this.accounts++
    this.entries += entries.length
    this.problems.push(...verifyAccount(account, entries))
  }

  addProblems(problems: readonly VerifyProblem[]): void {
    this.problems.push(...problems)
  }

  report(): VerifyReport {
    return { ok: this.problems.length === 0, accounts_checked: this.accounts, entries_checked: this.entries, problems: [...this.problems] }
  }
}

// Lifetime exactly as planPosting computes it: replayed with floor "allow" (the stored points are already the
// floored amounts) and no pending movement, so nothing in the replay can throw for a consistent entry.
function lifetimeAfter(lifetime: number, e: VerifyEntryRow): number {
  if (!KNOWN_KINDS.has(e.kind) || !Number.isSafeInteger(e.points)) return lifetime
  const posting = planPosting(
    { points_balance: 0, points_lifetime: lifetime, points_pending: 0 },
    { customer_id: e.customer_id, kind: e.kind as EntryKind, points: e.points, idempotency_key: e.id, floor: "allow" }
  )
  return posting.next.points_lifetime
}

/** A readable multi-line report for the CLI and logs. */
export function formatVerifyReport(report: VerifyReport): string {
  const head = `${report.ok ? "OK" : "DRIFT"}: ${report.accounts_checked} account(s), ${report.entries_checked} entr${report.entries_checked === 1 ? "y" : "ies"} checked, ${report.problems.length} problem(s)`
  const lines = report.problems.map(
    (p) => `  ${p.customer_id}  ${p.check}${p.entry_id ? `  entry ${p.entry_id}` : ""}${p.redemption_id ? `  redemption ${p.redemption_id}` : ""}: expected ${p.expected}, actual ${p.actual}`
  )
  return [head, ...lines].join("\n")
}
