import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"
import { cli, FIXTURE_STORE } from "../helpers/cli"

type Script = "plain" | "canceled" | "refunded" | "returned"

/**
 * Reconcile on a real store: orders, cancels, refunds and returns whose events were lost (Medusa's enqueuer held,
 * the staged events deleted, as if the process had crashed between the commit and the handlers) are found and
 * applied; balances end up equal to those of control customers who did exactly the same with their events
 * delivered. Default program: a first order of 123.45 (+10.00 shipping, total 133.45) earns 223, a second 123.
 */
describe("reconcile: order events the ledger never saw", () => {
  let store: Store
  let admin: Admin
  let region: { id: string; return_shipping_option: { id: string } }
  let shirt: string
  const control = {} as Record<Script, Customer>
  const lost = {} as Record<Script, Customer>
  const lostOrders: string[] = []

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  const entriesOfCustomer = async (c: Customer) =>
    (await sql(`SELECT kind, points FROM loyalty_ledger_entry WHERE customer_id = $1 ORDER BY seq`, [c.id])).map((e) => [e.kind, e.points])
  const accountOf = async (c: Customer) =>
    (await sql(`SELECT points_balance, points_lifetime::float8 AS points_lifetime, tier FROM loyalty_account WHERE customer_id = $1`, [c.id]))[0] ?? null
  const adminPost = async (p: string, body: unknown = {}) => expectOk(await admin.api.post(p, body), `POST ${p}`)
  const reconcile = async (body: unknown = {}) => {
    const res = await admin.api.post("/admin/loyalty/jobs/reconcile", body)
    expect(res.status).toBe(200)
    return res.body.reconcile
  }
  const order = (c: Customer) => placeOrder(store, { token: c, region, items: [{ variant_id: shirt, quantity: 1 }] })

  const accrued = (order_id: string) =>
    waitFor(async () => (await sql(`SELECT 1 FROM loyalty_ledger_entry WHERE idempotency_key = $1`, [`order:${order_id}:accrual`])).length > 0, {
      description: `accrual of ${order_id}`,
    })

  /**
   * What a member does; returns the order ids and how many ledger entries the events give. With `delivered`, each
   * follow-up waits for the order's accrual, as in real life (a cancel in the same event batch as its order.placed
   * would leave a 0-point tombstone instead, see lifecycle.test.ts).
   */
  const play = async (script: Script, c: Customer, delivered: boolean): Promise<{ ids: string[]; entries: number }> => {
    const o = await order(c)
    if (delivered) await accrued(o.id)
    if (script === "plain") return { ids: [o.id, (await order(c)).id], entries: 2 }
    if (script === "canceled") {
      await adminPost(`/admin/orders/${o.id}/cancel`)
      return { ids: [o.id], entries: 2 }
    }
    await adminPost(`/admin/orders/${o.id}/capture`)
    if (script === "refunded") {
      await adminPost(`/admin/orders/${o.id}/refund`, { amount: 5000, reason: "other" })
      await adminPost(`/admin/orders/${o.id}/refund`, { amount: 3000, reason: "other" })
      return { ids: [o.id], entries: 3 }
    }
    const item_id = o.items[0].id
    const requested = await adminPost(`/admin/orders/${o.id}/return`, {
      items: [{ item_id, quantity: 1 }],
      return_shipping: { option_id: region.return_shipping_option.id, price: 0 },
    })
    await adminPost(`/admin/returns/${requested.order.returns[0].id}/receive`, { items: [{ item_id, quantity: 1 }] })
    return { ids: [o.id], entries: 2 }
  }

  /** Runs `work` with Medusa's enqueuer held, then deletes the staged events (lost) and releases it. */
  const losingEvents = async (work: () => Promise<void>): Promise<string[]> => {
    const bus = store.container.resolve("eventBusService")
    await bus.stopEnqueuer()
    try {
      await work()
      return (await sql(`DELETE FROM staged_job RETURNING event_name`)).map((r) => r.event_name as string)
    } finally {
      bus.startEnqueuer()
    }
  }

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    const scripts: Script[] = ["plain", "canceled", "refunded", "returned"]
    for (const s of scripts) {
      control[s] = await createCustomer(store)
      const { entries } = await play(s, control[s], true)
      await waitFor(async () => ((await entriesOfCustomer(control[s])).length >= entries ? true : null), { description: `control ${s}` })
    }
    const dropped = await losingEvents(async () => {
      for (const s of scripts) {
        lost[s] = await createCustomer(store)
        lostOrders.push(...(await play(s, lost[s], false)).ids)
      }
    })
    expect(dropped).toEqual(expect.arrayContaining(["customer.created", "order.placed", "order.canceled", "order.refund_created", "order.items_returned"]))
  })

  afterAll(async () => {
    await store?.stop()
  })

  it("starts with nothing in the ledger for the orders whose events were lost", async () => {
    const rows = await sql(`SELECT count(*)::int AS n FROM loyalty_ledger_entry WHERE order_id = ANY($1)`, [lostOrders])
    expect(rows[0].n).toBe(0)
    expect(await accountOf(lost.plain)).toBeNull() // customer.created was lost too
  })

  it("applies every missed accrual, cancel and refund once, giving exactly the balances the events gave", async () => {
    const result = await reconcile()
    expect(result).toMatchObject({
      // The first refund's sweep claws back both refunds of its order; the second refund is then found done.
      scanned: 8,
      applied: { accruals: 4, reversals: 1, clawbacks: 3 },
      already_seen: 0,
      skipped: 0,
      failures: [],
      complete: true,
      limit: 1000,
    })
    // 30 days back by default
    expect(Date.parse(result.until) - Date.parse(result.since)).toBe(30 * 24 * 60 * 60 * 1000)

    // refunded: 223 − floor(223 × 5000 / 13345) = 140, then − (floor(223 × 8000 / 13345) − 83) = 90
    const expected: Record<Script, number> = { plain: 346, canceled: 0, refunded: 90, returned: 17 }
    for (const s of Object.keys(expected) as Script[]) {
      const balance = { points_balance: expected[s], points_lifetime: expected[s], tier: "bronze" }
      expect({ s, ...(await accountOf(lost[s])) }).toEqual({ s, ...balance })
      expect({ s, ...(await accountOf(control[s])) }).toEqual({ s, ...balance })
    }
    // The same entries as the events wrote, except a cancel: the events gave +223 then -223, reconcile a 0 reversal.
    for (const s of ["plain", "refunded", "returned"] as const) {
      expect(await entriesOfCustomer(lost[s])).toEqual(await entriesOfCustomer(control[s]))
    }
    expect(await entriesOfCustomer(lost.plain)).toEqual([["accrual", 223], ["accrual", 123]])
    expect(await entriesOfCustomer(lost.refunded)).toEqual([["accrual", 223], ["clawback", -83], ["clawback", -50]])
    expect(await entriesOfCustomer(lost.returned)).toEqual([["accrual", 223], ["clawback", -206]])
    expect(await entriesOfCustomer(lost.canceled)).toEqual([["reversal", 0]])
  })

  it("leaves a ledger that verifies (balance = Σ entries)", async () => {
    const res = await admin.api.get("/admin/loyalty/verify")
    expect(res.body).toMatchObject({ ok: true, problems: [] })
  })

  it("changes nothing when run again", async () => {
    const before = await sql(`SELECT count(*)::int AS n, sum(points)::int AS points FROM loyalty_ledger_entry`)
    const result = await reconcile({ since: "2020-01-01" })
    expect(result).toMatchObject({ scanned: 0, applied: { accruals: 0, reversals: 0, clawbacks: 0 }, failures: [], complete: true })
    expect(await sql(`SELECT count(*)::int AS n, sum(points)::int AS points FROM loyalty_ledger_entry`)).toEqual(before)
    expect(await accountOf(lost.plain)).toMatchObject({ points_balance: 346 })
  })

  it("refuses a malformed body naming the field", async () => {
    for (const body of [{ since: "yesterday" }, { limit: 0 }, { limit: 20000 }, { dry_run: true }, { since: "2030-01-01" }]) {
      const res = await admin.api.post("/admin/loyalty/jobs/reconcile", body)
      expect({ body, status: res.status }).toEqual({ body, status: 400 })
      expect(res.body.message).toMatch(/since|limit|dry_run/)
    }
  })

  it("records a failing order with its code, goes on with the others, stops at the limit, and retries it next time", async () => {
    const xena = await createCustomer(store)
    const yann = await createCustomer(store)
    let failing = ""
    await losingEvents(async () => {
      failing = (await order(xena)).id
      await order(yann)
    })
    const proto = Object.getPrototypeOf(store.container.resolve("loyaltyAccrualService"))
    const awardOrder = proto.awardOrder
    proto.awardOrder = function (order_id: string) {
      if (order_id === failing) {
        throw Object.assign(new Error("simulated: rules unavailable for this order"), { name: "LoyaltyError", code: "RULES_UNAVAILABLE" })
      }
      return awardOrder.call(this, order_id)
    }
    const failure = { kind: "accrual", order_id: failing, refund_id: null, code: "RULES_UNAVAILABLE", message: "simulated: rules unavailable for this order" }
    try {
      expect(await reconcile({ limit: 1 })).toMatchObject({ scanned: 1, applied: { accruals: 0 }, failures: [failure], complete: false })
      // Keyset pages of one row: the failed order stays a candidate, the cursor still moves past it.
      const service = store.container.resolve("loyaltyReconcileService")
      const result = await service.reconcile({ since: new Date(Date.now() - 3600_000), until: new Date(), limit: null, batch_size: 1 })
      expect(result).toMatchObject({ scanned: 2, applied: { accruals: 1, reversals: 0, clawbacks: 0 }, failures: [failure], complete: true })
      expect(await accountOf(yann)).toMatchObject({ points_balance: 223 })
    } finally {
      proto.awardOrder = awardOrder
    }
    expect(await reconcile()).toMatchObject({ scanned: 1, applied: { accruals: 1 }, failures: [] })
    expect(await accountOf(xena)).toMatchObject({ points_balance: 223 })
  })

  it("runs hourly as a scheduled job over the last 7 days, leaving the last minutes to the event handlers", async () => {
    const wes = await createCustomer(store)
    const vic = await createCustomer(store)
    let old = ""
    await losingEvents(async () => {
      old = (await order(wes)).id
      await order(vic)
    })
    // Wes's order was placed an hour ago (its event lost); Vic's a moment ago, maybe still in flight.
    await sql(`UPDATE "order" SET created_at = now() - interval '1 hour' WHERE id = $1`, [old])
    const job = require("../../dist/jobs/loyalty-reconcile")
    expect(job.config).toMatchObject({ name: "loyalty-reconcile", schedule: "23 * * * *" })
    await job.default({ container: store.container, data: {}, pluginOptions: {} })
    expect(await accountOf(wes)).toMatchObject({ points_balance: 223 })
    expect(await entriesOfCustomer(vic)).toEqual([])
    expect(await reconcile()).toMatchObject({ scanned: 1, applied: { accruals: 1 } })
    expect(await accountOf(vic)).toMatchObject({ points_balance: 223 })
  })

  it("reconciles from the command line in the store directory: exit 1 with the failures, then 0 once applied", async () => {
    const zoe = await createCustomer(store)
    let missed = ""
    await losingEvents(async () => {
      missed = (await order(zoe)).id
    })
    // The same store with a typo in its rules: the accrual fails and the command says so.
    const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-reconcile-rules-"))
    const configFile = process.env.LOYALTY_STORE_CONFIG!
    const brokenConfig = path.join(rulesDir, "store-config.json")
    try {
      fs.writeFileSync(path.join(rulesDir, "accrual.json"), "{ \"kind\": \"accrual\", \"rules\": [ }")
      const config = JSON.parse(fs.readFileSync(configFile, "utf8"))
      config.plugins[2].options = { rules_dir: rulesDir }
      fs.writeFileSync(brokenConfig, JSON.stringify(config))
      process.env.LOYALTY_STORE_CONFIG = brokenConfig
      const broken = await cli(["reconcile", "--format", "json"], FIXTURE_STORE)
      expect(broken.code).toBe(1)
      expect(JSON.parse(broken.stdout)).toMatchObject({
        scanned: 1,
        applied: { accruals: 0 },
        failures: [{ kind: "accrual", order_id: missed, code: "RULES_UNAVAILABLE" }],
      })
    } finally {
      process.env.LOYALTY_STORE_CONFIG = configFile
      fs.rmSync(rulesDir, { recursive: true, force: true })
    }

    const run = await cli(["reconcile"], FIXTURE_STORE)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("applied: 1 accrual(s), 0 reversal(s), 0 clawback(s)")
    expect(run.stdout).toContain("failed: 0")
    expect(await accountOf(zoe)).toMatchObject({ points_balance: 223 })

    expect((await cli(["reconcile", "--since", "yesterday"])).code).toBe(2)
    expect((await cli(["reconcile", "--since", "2026-02-01", "--until", "2026-01-01"])).code).toBe(2)
    const help = await cli(["reconcile", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("--since <date>")
    expect(help.stdout).toContain("--format <format>")
  })
})
