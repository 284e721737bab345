import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import fs from "fs"
import os from "os"
import path from "path"
import { addMonths } from "../../src/core/domain/ledger/expiry"
import { runActivateJob } from "../../src/workflows/jobs/activate"
import { runExpireJob } from "../../src/workflows/jobs/expire"
import { runReconcileJob } from "../../src/workflows/jobs/reconcile"
import { runTiersJob } from "../../src/workflows/jobs/tiers"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { syncTierGroupsWorkflow } from "../../src/workflows/tiers/workflows"
import loyaltyJobsScript from "../../src/scripts/loyalty-jobs"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * This suite's own rules (the module reads LOYALTY_V2_RULES_DIR through medusa-config.ts, loaded before the runner's
 * `env` is applied, hence set here): the package's rules with tiers on the 365-day window (so time alone can move a
 * member down) and a 30-day grace. Tests that need another program write program.json and reload the rules.
 */
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-jobs-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
const defaultProgram = fs.readFileSync(path.join(packageRules, "program.json"), "utf8")
const windowTier = (code: string, name: string, rank: number, min: number | null) => ({
  code, name, rank,
  conditions: { all: min === null ? [] : [{ fact: "member", path: "$.points_last_365d", operator: "greaterThanInclusive", value: min }] },
})
fs.writeFileSync(path.join(rulesDir, "tiers.json"), JSON.stringify({
  kind: "tiers",
  downgrade: { policy: "grace", grace_days: 30 },
  tiers: [windowTier("bronze", "Bronze", 0, null), windowTier("silver", "Silver", 1, 150), windowTier("gold", "Gold", 2, 1000), windowTier("platinum", "Platinum", 3, 3000)],
}, null, 2))
process.env.LOYALTY_V2_RULES_DIR = rulesDir

const DAY = 24 * 60 * 60 * 1000
const TIER_GROUPS = ["Loyalty: Bronze", "Loyalty: Silver", "Loyalty: Gold", "Loyalty: Platinum"]
const ORDER_EVENTS = ["order.placed", "order.canceled", "payment.refunded", "payment.captured", "order.return_received"]

const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await run()
  } finally {
    timings[name] = Date.now() - start
  }
}

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    const tierEvents: Array<{ customer_id: string; from: string | null; to: string; reason: string }> = []
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const entryByKey = (key: string) => loyalty().findEntryByKey(key)
    const entriesOf = async (filter: Record<string, unknown>) => loyalty().listLoyaltyLedgerEntries(filter, { order: { seq: "ASC" }, take: null })
    const query = () => getContainer().resolve<any>(ContainerRegistrationKeys.QUERY)
    const tierGroupsOf = async (customer_id: string): Promise<string[]> => {
      const { data } = await query().graph({ entity: "customer", fields: ["id", "groups.name"], filters: { id: customer_id } })
      return (data[0]?.groups ?? []).map((g: { name: string }) => g.name).filter((n: string) => TIER_GROUPS.includes(n)).sort()
    }
    const verify = async () => (await api.get("/admin/loyalty/verify", store.admin)).data
    const reloadRules = async () => (await api.post("/admin/loyalty/rules/reload", {}, store.admin)).data
    const member = async (email: string) => {
      const customer = await store.registerCustomer(email)
      await waitFor("the account", () => loyalty().findAccount(customer.id))
      return customer
    }
    const accrualOf = (order_id: string) => waitFor(`accrual of ${order_id}`, () => entryByKey(`order:${order_id}:accrual`))

    /** Takes the plugin's order subscribers off the event bus (events "lost") until the returned function puts them back. */
    const loseOrderEvents = () => {
      const emitter = (getContainer().resolve<any>(Modules.EVENT_BUS) as any).eventEmitter_
      const taken: Array<[string, (...a: unknown[]) => unknown]> = []
      for (const event of ORDER_EVENTS) {
        for (const listener of emitter.listeners(event)) {
          if (String(listener.subscriberId ?? "").startsWith("loyalty-")) {
            emitter.off(event, listener)
            taken.push([event, listener])
          }
        }
      }
      expect(taken.length).toBeGreaterThanOrEqual(3)
      return () => taken.forEach(([event, listener]) => emitter.on(event, listener))
    }

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer()))
      getContainer().resolve<any>(Modules.EVENT_BUS).subscribe(
        "loyalty.tier_changed",
        async (message: any) => { tierEvents.push(message?.data ?? message) },
        { subscriberId: "jobs-spec-tier-changed" }
      )
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
      // eslint-disable-next-line no-console
      console.log(`v2 jobs timings (ms): ${JSON.stringify(timings)}`)
    })

    it("expires the oldest unspent points first (FIFO), once however often the job runs that day, and the ledger verifies clean", async () => {
      const customer = await member("expiry@jobs.test")
      const a = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
      const accrualA = await accrualOf(a.id)
      // A spend of 50 consumes the oldest lot (order A's) first.
      await api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points: -50, reason: "spent" }, { headers: { ...store.admin.headers, "idempotency-key": "expiry-spend" } })
      await new Promise((r) => setTimeout(r, 1500))
      const b = await store.placeOrder(customer, [{ price: 19.99, quantity: 1 }])
      const accrualB = await accrualOf(b.id)
      const aAt = new Date(accrualA.created_at).getTime()
      const bAt = new Date(accrualB.created_at).getTime()
      expect(bAt - aAt).toBeGreaterThan(1000)
      // Twelve months after A, before twelve months after B: A's unspent remainder expires, B's points do not.
      const now = new Date(addMonths(new Date(aAt), 12).getTime() + (bAt - aAt) / 2)
      const first = await timed("expire job", () => runExpireJob(getContainer(), now))
      const again = await runExpireJob(getContainer(), now)
      expect(first.expiry).toEqual({ enabled: true, accounts_checked: 1, entries_posted: 1, points_expired: accrualA.points - 50 })
      expect(again.expiry).toEqual({ enabled: true, accounts_checked: 1, entries_posted: 0, points_expired: 0 })
      const expiries = await entriesOf({ customer_id: customer.id, kind: "expiry" })
      expect(expiries.map((e: any) => [e.points, e.idempotency_key])).toEqual([[-(accrualA.points - 50), `expiry:${customer.id}:${now.toISOString().slice(0, 10)}`]])
      expect((await loyalty().findAccount(customer.id)).points_balance).toBe(accrualB.points)
      // A day later B's points are past their twelve months too.
      const later = new Date(now.getTime() + DAY)
      expect((await runExpireJob(getContainer(), later)).expiry.points_expired).toBe(accrualB.points)
      expect((await runExpireJob(getContainer(), later)).expiry.entries_posted).toBe(0)
      expect((await entriesOf({ customer_id: customer.id, kind: "expiry" })).map((e: any) => e.points)).toEqual([-(accrualA.points - 50), -accrualB.points])
      expect((await loyalty().findAccount(customer.id))).toMatchObject({ points_balance: 0, points_lifetime: accrualA.points + accrualB.points - 50 })
      expect(await verify()).toMatchObject({ ok: true, problems: [] })
    })

    it("activates pending points once the pending period after fulfillment is over, and a cancel before activation takes the pending points back", async () => {
      fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...JSON.parse(defaultProgram), pending_days: 14 }, null, 2))
      try {
        await reloadRules()
        expect(loyalty().getRulebook().program.pending_days).toBe(14)
        const customer = await member("pending@jobs.test")
        const shipped = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
        const canceled = await store.placeOrder(customer, [{ price: 19.99, quantity: 2 }])
        const shippedAccrual = await accrualOf(shipped.id)
        const canceledAccrual = await accrualOf(canceled.id)
        expect([shippedAccrual.points, canceledAccrual.points]).toEqual([0, 0])
        expect(shippedAccrual.pending_delta).toBeGreaterThan(0)
        expect(canceledAccrual.pending_delta).toBeGreaterThan(0)
        // The first order goes out (a fulfillment of every item); the second never does.
        const { data: { order } } = await api.get(`/admin/orders/${shipped.id}?fields=id,*items`, store.admin)
        await api.post(`/admin/orders/${shipped.id}/fulfillments`, { items: order.items.map((i: any) => ({ id: i.id, quantity: i.quantity })) }, store.admin)
        // Within the pending period nothing activates.
        const early = await runActivateJob(getContainer(), new Date(Date.now() + 13 * DAY))
        expect(early.activation).toEqual({ orders_checked: 2, entries_posted: 0, points_activated: 0 })
        // The second order is canceled before activation: its reversal takes the pending points back (out of pending).
        await api.post(`/admin/orders/${canceled.id}/cancel`, {}, store.admin)
        const reversal = await waitFor("the reversal", () => entryByKey(`order:${canceled.id}:cancel`))
        expect([reversal.points, reversal.pending_delta]).toEqual([0, -canceledAccrual.pending_delta])
        // Fourteen days after the fulfillment the shipped order's points are spendable; run twice: one activation.
        const after = new Date(Date.now() + 15 * DAY)
        const run = await timed("activate job", () => runActivateJob(getContainer(), after))
        const again = await runActivateJob(getContainer(), after)
        expect(run.activation).toEqual({ orders_checked: 1, entries_posted: 1, points_activated: shippedAccrual.pending_delta })
        expect(again.activation).toEqual({ orders_checked: 0, entries_posted: 0, points_activated: 0 })
        const activation = await entryByKey(`order:${shipped.id}:activation`)
        expect([activation.kind, activation.points, activation.pending_delta]).toEqual(["activation", shippedAccrual.pending_delta, -shippedAccrual.pending_delta])
        expect(activation.reason).toBe("pending period of 14 days over")
        expect(await entryByKey(`order:${canceled.id}:activation`)).toBeNull()
        expect(await loyalty().findAccount(customer.id)).toMatchObject({ points_balance: shippedAccrual.pending_delta, points_pending: 0 })
        expect(await verify()).toMatchObject({ ok: true, problems: [] })
      } finally {
        fs.writeFileSync(path.join(rulesDir, "program.json"), defaultProgram)
        await reloadRules()
      }
    })

    it("activates a spendable_on captured order's pending points when its payment is captured (payment.captured), not before", async () => {
      fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...JSON.parse(defaultProgram), spendable_on: "captured" }, null, 2))
      try {
        await reloadRules()
        expect(loyalty().getRulebook().program.spendable_on).toBe("captured")
        const customer = await member("captured@jobs.test")
        const order = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
        const accrual = await accrualOf(order.id)
        expect([accrual.points, accrual.details.spendable_on]).toEqual([0, "captured"])
        // Not captured yet: the job (even a month later) leaves the points pending.
        expect((await runActivateJob(getContainer(), new Date(Date.now() + 30 * DAY))).activation).toEqual({ orders_checked: 1, entries_posted: 0, points_activated: 0 })
        await api.post(`/admin/payments/${await store.paymentOf(order.id)}/capture`, {}, store.admin)
        const activation = await waitFor("the activation", () => entryByKey(`order:${order.id}:activation`))
        expect([activation.points, activation.pending_delta, activation.reason]).toEqual([accrual.pending_delta, -accrual.pending_delta, "payment captured"])
        expect((await runActivateJob(getContainer(), new Date())).activation.entries_posted).toBe(0)
        expect(await loyalty().findAccount(customer.id)).toMatchObject({ points_balance: accrual.pending_delta, points_pending: 0 })
      } finally {
        fs.writeFileSync(path.join(rulesDir, "program.json"), defaultProgram)
        await reloadRules()
      }
    })

    it("demotes a member in the daily tiers job only after the grace period, moves their tier group, and emits loyalty.tier_changed", async () => {
      const customer = await member("tiers@jobs.test")
      const order = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
      await accrualOf(order.id)
      // The accrual lifted them to Silver (≥ 150 points in 365 days): an accrual-time change, emitted too.
      await waitFor("silver", async () => (await loyalty().findAccount(customer.id)).tier === "silver")
      await waitFor("the accrual's tier event", async () => tierEvents.some((e) => e.customer_id === customer.id && e.to === "silver"))
      expect(await tierGroupsOf(customer.id)).toEqual(["Loyalty: Silver"])
      // A year later the window is empty: below Silver, kept through the 30-day grace.
      const yearLater = new Date(Date.now() + 366 * DAY)
      const first = await timed("tiers job", () => runTiersJob(getContainer(), yearLater))
      expect(first.tiers).toEqual({ accounts_checked: 1, upgraded: 0, downgraded: 0, unchanged: 1 })
      expect(await loyalty().findAccount(customer.id)).toMatchObject({ tier: "silver" })
      expect((await loyalty().findAccount(customer.id)).tier_below_since).not.toBeNull()
      const stillGrace = await runTiersJob(getContainer(), new Date(yearLater.getTime() + 29 * DAY))
      expect(stillGrace.tiers.downgraded).toBe(0)
      // Grace over: Bronze, one history row, the event, the group.
      const demoted = await runTiersJob(getContainer(), new Date(yearLater.getTime() + 31 * DAY))
      expect(demoted.tiers).toEqual({ accounts_checked: 1, upgraded: 0, downgraded: 1, unchanged: 0 })
      expect(await loyalty().findAccount(customer.id)).toMatchObject({ tier: "bronze", tier_below_since: null })
      const history = await loyalty().tierHistory(customer.id)
      expect(history.map((h: any) => [h.from_tier, h.to_tier])).toEqual([[null, "bronze"], ["bronze", "silver"], ["silver", "bronze"]])
      expect(history[2].reason).toMatch(/^reevaluation: below silver since .*grace of 30 days over$/)
      const event = await waitFor("the demotion event", async () => tierEvents.find((e) => e.customer_id === customer.id && e.from === "silver" && e.to === "bronze"))
      expect(event).toMatchObject({ customer_id: customer.id, from: "silver", to: "bronze", reason: history[2].reason })
      expect(await tierGroupsOf(customer.id)).toEqual(["Loyalty: Bronze"])
      // Running again changes nothing and emits nothing more.
      expect((await runTiersJob(getContainer(), new Date(yearLater.getTime() + 32 * DAY))).tiers.unchanged).toBe(1)
      expect(tierEvents.filter((e) => e.customer_id === customer.id && e.to === "bronze" && e.from === "silver")).toHaveLength(1)
    })

    it("restores every lost order event exactly once in reconcile (accruals, a cancel, refunds), a second run changes nothing, and the ledger verifies clean", async () => {
      const customer = await member("reconcile@jobs.test")
      const control = await member("reconcile-control@jobs.test")
      const since = new Date(Date.now() - 60_000)
      // An order whose events were delivered, refunded later while the refund's event is lost.
      const earlier = await store.placeOrder(customer, [{ price: 19.99, quantity: 3 }])
      const earlierAccrual = await accrualOf(earlier.id)
      const earlierPayment = await store.paymentOf(earlier.id)
      await api.post(`/admin/payments/${earlierPayment}/capture`, {}, store.admin)
      const restore = loseOrderEvents()
      let placed: { id: string }, canceled: { id: string }, refunded: { id: string }
      try {
        placed = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
        canceled = await store.placeOrder(customer, [{ price: 19.99, quantity: 1 }])
        refunded = await store.placeOrder(customer, [{ price: 100, quantity: 2 }])
        await api.post(`/admin/orders/${canceled.id}/cancel`, {}, store.admin)
        const payment = await store.paymentOf(refunded.id)
        await api.post(`/admin/payments/${payment}/capture`, {}, store.admin)
        await api.post(`/admin/payments/${payment}/refund`, { amount: 50 }, store.admin)
        await api.post(`/admin/payments/${earlierPayment}/refund`, { amount: 20 }, store.admin)
        await new Promise((r) => setTimeout(r, 2000))
      } finally {
        restore()
      }
      expect((await entriesOf({ customer_id: customer.id })).map((e: any) => e.kind)).toEqual(["accrual"])
      // The same two first orders with their events delivered: what reconcile must reproduce for the lost one.
      await accrualOf((await store.placeOrder(control, [{ price: 19.99, quantity: 3 }])).id)
      const c1 = await store.placeOrder(control, [{ price: 100, quantity: 1 }])
      const c1Accrual = await accrualOf(c1.id)
      const run = await timed("reconcile job", () => runReconcileJob(getContainer(), { since, now: new Date() }))
      // 5 missed events: 2 placed, 1 canceled, 2 refunds (one applied by its order's accrual, which sweeps refunds).
      expect(run).toMatchObject({ scanned: 5, applied: { accruals: 2, reversals: 1, clawbacks: 2 }, already_seen: 0, skipped: 0, failures: [], complete: true })
      const kinds = async (order_id: string) => (await entriesOf({ order_id })).map((e: any) => [e.kind, e.points])
      expect(await kinds(placed!.id)).toEqual([["accrual", c1Accrual.points]])
      expect(await kinds(canceled!.id)).toEqual([["reversal", 0]])
      const refundedEntries = await entriesOf({ order_id: refunded!.id })
      expect(refundedEntries.map((e: any) => e.kind)).toEqual(["accrual", "clawback"])
      expect(refundedEntries[1].details.refund_minor).toBe(5000)
      const earlierEntries = await entriesOf({ order_id: earlier.id })
      expect(earlierEntries.map((e: any) => [e.kind, e.details.refund_minor ?? null])).toEqual([["accrual", null], ["clawback", 2000]])
      expect(earlierEntries[1].points).toBe(-Math.floor((earlierAccrual.points * 2000) / earlierAccrual.details.order_total_minor))
      const again = await runReconcileJob(getContainer(), { since, now: new Date() })
      expect(again).toMatchObject({ scanned: 0, applied: { accruals: 0, reversals: 0, clawbacks: 0 }, already_seen: 0, failures: [] })
      expect(await entriesOf({ customer_id: customer.id })).toHaveLength(6)
      const balance = (await entriesOf({ customer_id: customer.id })).reduce((s: number, e: any) => s + e.points, 0)
      expect((await loyalty().findAccount(customer.id)).points_balance).toBe(balance)
      expect(await verify()).toMatchObject({ ok: true, problems: [] })
    })

    it("leaves a member in exactly one tier group, their tier's, when the group syncs of two postings overlap", async () => {
      const customer = await member("concurrent@jobs.test")
      await waitFor("the Bronze group", async () => (await tierGroupsOf(customer.id)).length === 1)
      const adjust = (n: number, points: number) =>
        api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points, reason: `bulk ${n}` }, { headers: { ...store.admin.headers, "idempotency-key": `concurrent-${n}` } })
      // A slow customer module: each sync spends a second between reading the member's groups and joining one.
      const customers = getContainer().resolve<any>(Modules.CUSTOMER)
      const join = customers.addCustomerToGroup
      customers.addCustomerToGroup = async function (...args: unknown[]) {
        await new Promise((r) => setTimeout(r, 1000))
        return join.apply(this, args)
      }
      try {
        const gold = adjust(1, 1000) // → Gold; its sync is still joining the Gold group when …
        await new Promise((r) => setTimeout(r, 300))
        const platinum = adjust(2, 3000) // … this posting makes them Platinum and syncs again.
        await Promise.all([gold, platinum])
      } finally {
        customers.addCustomerToGroup = join
      }
      expect(await loyalty().findAccount(customer.id)).toMatchObject({ points_balance: 4000, tier: "platinum" })
      expect(await tierGroupsOf(customer.id)).toEqual(["Loyalty: Platinum"])
      // Six more concurrent postings (each with its sync) change nothing about that.
      await Promise.all([3, 4, 5, 6, 7, 8].map((n) => adjust(n, 100)))
      expect(await tierGroupsOf(customer.id)).toEqual(["Loyalty: Platinum"])
    })

    it("answers the job routes with v1's shapes, 401 without authentication, and runs the jobs from the medusa exec script", async () => {
      for (const job of ["expire", "activate", "tiers", "reconcile"]) {
        const res = await api.post(`/admin/loyalty/jobs/${job}`, {}, { headers: store.pk }).catch((e: any) => e.response)
        expect([job, res.status]).toEqual([job, 401])
      }
      await member("routes@jobs.test")
      const expire = (await api.post("/admin/loyalty/jobs/expire", {}, store.admin)).data
      expect(expire).toEqual({ expiry: { enabled: true, accounts_checked: 0, entries_posted: 0, points_expired: 0 }, redemptions: { examined: 0, voided: 0, settled: 0, skipped: 0, failed: 0 }, reminders: { enabled: true, accounts_checked: 0, emitted: 0 } })
      expect((await api.post("/admin/loyalty/jobs/activate", {}, store.admin)).data).toEqual({ activation: { orders_checked: 0, entries_posted: 0, points_activated: 0 } })
      expect((await api.post("/admin/loyalty/jobs/tiers", {}, store.admin)).data).toEqual({ tiers: { accounts_checked: 1, upgraded: 0, downgraded: 0, unchanged: 1 } })
      const reconcile = (await api.post("/admin/loyalty/jobs/reconcile", { since: "2026-01-01" }, store.admin)).data.reconcile
      expect(reconcile).toMatchObject({ since: "2026-01-01T00:00:00.000Z", limit: 1000, scanned: 0, applied: { accruals: 0, reversals: 0, clawbacks: 0 }, complete: true })
      const bad = await api.post("/admin/loyalty/jobs/reconcile", { since: "yesterday" }, store.admin).catch((e: any) => e.response)
      expect([bad.status, bad.data.code]).toEqual([400, "INVALID_INPUT"])
      const log = jest.spyOn(console, "log").mockImplementation(() => undefined)
      try {
        const out: any = await loyaltyJobsScript({ container: getContainer(), args: ["tiers", "--now", "2027-06-01T00:00:00Z"] } as any)
        expect(out.tiers).toEqual({ accounts_checked: 1, upgraded: 0, downgraded: 0, unchanged: 1 })
        const rec: any = await loyaltyJobsScript({ container: getContainer(), args: ["reconcile", "--since", "2026-01-01", "--format", "json"] } as any)
        expect(rec.reconcile.scanned).toBe(0)
      } finally {
        log.mockRestore()
      }
    })
  },
})
