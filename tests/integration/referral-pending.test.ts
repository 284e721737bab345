import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, REPO_ROOT, rulesDirWithProgram, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

const DAY = 24 * 60 * 60 * 1000
const CAMPAIGNS = path.join(REPO_ROOT, "examples", "rulebooks", "campaigns")

/** A store on a copy of the campaigns example (members enrolled on sign-up), an admin, a region and a 10.00 shirt. */
async function campaignStore(rules_dir: string): Promise<{ store: Store; admin: Admin; region: { id: string }; shirt: string }> {
  const store = await startStore({ pluginOptions: { rules_dir, auto_enroll: true } })
  const admin = await createAdmin(store)
  const region = await createRegion(admin)
  return { store, admin, region, shirt: await createProduct(admin, { title: "Shirt", price: 1000 }) }
}

/** A member and a new member who attached the first one's referral code. */
async function referredPair(store: Store): Promise<{ referrer: Customer; referred: Customer }> {
  const referrer = await createCustomer(store)
  const referred = await createCustomer(store)
  const { code } = expectOk(await referrer.api.get("/store/customers/me/loyalty/referral"), "GET referral code")
  expectOk(await referred.api.post("/store/customers/me/loyalty/referral", { code }), "attach code")
  return { referrer, referred }
}

/**
 * Referral awards under a program whose points wait (`pending_days: 14`, the campaigns example: 500 to each side):
 * the awards are pending like the referred member's first order, activate with it (fulfilled + 14 days), leave
 * pending (never the balance) when that order is canceled first, and a reconcile after order.placed was lost
 * awards them — pending too — exactly once.
 */
describe("referral awards wait like the first order's points", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string
  const rules = rulesDirWithProgram({ pending_days: 14 }, CAMPAIGNS)

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)
  /** The referral entries of a member (awards, take-backs) and the activations of those awards, in order. */
  const referralEntries = (c: Customer) =>
    sql(
      `SELECT kind, points, pending_delta FROM loyalty_ledger_entry
        WHERE customer_id = $1 AND (details->'action'->>'type' = 'referral' OR idempotency_key LIKE 'action:referral:%:activation') ORDER BY seq`,
      [c.id]
    )
  const accountOf = async (c: Customer) =>
    expectOk(await admin.api.get(`/admin/loyalty/accounts/${c.id}`), "GET account").loyalty_account as { points_balance: number; points_pending: number; points_lifetime: number }
  const activateDue = (now: Date) => store.container.resolve("loyaltyActivationService").activateDue(now)
  const adminPost = async (p: string, body: unknown = {}) => expectOk(await admin.api.post(p, body), `POST ${p}`)

  const awardsPosted = (a: Customer, b: Customer, n: number) =>
    waitFor(async () => {
      const [x, y] = await Promise.all([referralEntries(a), referralEntries(b)])
      return x.length >= n && y.length >= n ? { referrer: x, referred: y } : null
    }, { timeoutMs: 120_000, description: `${n} referral entries on each side` })

  beforeAll(async () => {
    ;({ store, admin, region, shirt } = await campaignStore(rules.dir))
  })

  afterAll(async () => {
    await store?.stop()
    rules.remove()
  })

  it("posts both referral awards as pending and activates them when the first order is fulfilled and 14 days have passed", async () => {
    const { referrer, referred } = await referredPair(store)
    const order = await placeOrder(store, { token: referred, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const posted = await awardsPosted(referrer, referred, 1)
    expect(posted.referrer).toEqual([{ kind: "action", points: 0, pending_delta: 500 }])
    expect(posted.referred).toEqual([{ kind: "action", points: 0, pending_delta: 500 }])
    expect(await accountOf(referrer)).toMatchObject({ points_balance: 0, points_pending: 500, points_lifetime: 0 })

    // Not gone out yet: nothing activates, however late.
    await activateDue(new Date(Date.now() + 30 * DAY))
    expect(await referralEntries(referrer)).toHaveLength(1)

    const fulfilled = await adminPost(`/admin/orders/${order.id}/fulfillment`, { items: [{ item_id: order.items[0].id, quantity: 1 }] })
    const early = await activateDue(new Date(Date.now() + 13 * DAY))
    expect(early).toMatchObject({ entries_posted: 0 })
    expect(early.awards_checked).toBeGreaterThanOrEqual(2)

    const due = await activateDue(new Date(Date.now() + 15 * DAY))
    // The order's own points and both awards: three activations.
    expect(due).toMatchObject({ entries_posted: 3 })
    expect(await referralEntries(referrer)).toEqual([
      { kind: "action", points: 0, pending_delta: 500 },
      { kind: "activation", points: 500, pending_delta: -500 },
    ])
    expect((await referralEntries(referred))[1]).toEqual({ kind: "activation", points: 500, pending_delta: -500 })
    expect(await accountOf(referrer)).toMatchObject({ points_balance: 500, points_pending: 0, points_lifetime: 500 })
    // Once: a later run finds nothing left.
    expect(await activateDue(new Date(Date.now() + 16 * DAY))).toMatchObject({ entries_posted: 0, points_activated: 0 })

    // A cancel after activation takes the awards back from the balance (Medusa wants the fulfillment canceled first).
    await adminPost(`/admin/orders/${order.id}/fulfillments/${fulfilled.order.fulfillments[0].id}/cancel`)
    await adminPost(`/admin/orders/${order.id}/cancel`)
    const reversed = await awardsPosted(referrer, referred, 3)
    expect(reversed.referrer[2]).toEqual({ kind: "action", points: -500, pending_delta: 0 })
    expect(await accountOf(referrer)).toMatchObject({ points_balance: 0, points_pending: 0 })
    expect(expectOk(await admin.api.get("/admin/loyalty/verify"), "verify").ok).toBe(true)
  })

  it("takes pending referral awards out of pending, never out of the balance, when the first order is canceled before activation", async () => {
    const { referrer, referred } = await referredPair(store)
    const order = await placeOrder(store, { token: referred, region, items: [{ variant_id: shirt, quantity: 1 }] })
    await awardsPosted(referrer, referred, 1)
    await adminPost(`/admin/orders/${order.id}/cancel`)
    const reversed = await awardsPosted(referrer, referred, 2)
    expect(reversed.referrer).toEqual([
      { kind: "action", points: 0, pending_delta: 500 },
      { kind: "action", points: 0, pending_delta: -500 },
    ])
    expect(reversed.referred[1]).toEqual({ kind: "action", points: 0, pending_delta: -500 })
    expect(await accountOf(referrer)).toMatchObject({ points_balance: 0, points_pending: 0, points_lifetime: 0 })
    // Nothing is left to activate for them.
    await activateDue(new Date(Date.now() + 30 * DAY))
    expect(await referralEntries(referrer)).toHaveLength(2)
    expect(expectOk(await admin.api.get("/admin/loyalty/verify"), "verify").ok).toBe(true)
  })

  it("awards a first order's referral (pending) through reconcile when order.placed was lost, once", async () => {
    const { referrer, referred } = await referredPair(store)
    const bus = store.container.resolve("eventBusService")
    await bus.stopEnqueuer()
    let dropped: string[]
    try {
      await placeOrder(store, { token: referred, region, items: [{ variant_id: shirt, quantity: 1 }] })
      dropped = (await sql(`DELETE FROM staged_job RETURNING event_name`)).map((r) => r.event_name as string)
    } finally {
      bus.startEnqueuer()
    }
    expect(dropped).toContain("order.placed")
    expect(await referralEntries(referrer)).toEqual([])

    const first = expectOk(await admin.api.post("/admin/loyalty/jobs/reconcile", {}), "reconcile").reconcile
    expect(first.referrals).toEqual({ awarded: 2, reversed: 0 })
    expect(await referralEntries(referrer)).toEqual([{ kind: "action", points: 0, pending_delta: 500 }])
    expect(await referralEntries(referred)).toEqual([{ kind: "action", points: 0, pending_delta: 500 }])

    const second = expectOk(await admin.api.post("/admin/loyalty/jobs/reconcile", {}), "reconcile again").reconcile
    expect(second.referrals).toEqual({ awarded: 0, reversed: 0 })
    expect(expectOk(await admin.api.get("/admin/loyalty/verify"), "verify").ok).toBe(true)
  })
})

/**
 * The same under `spendable_on: "captured"`: the referral awards of a first order whose payment is only authorized
 * wait for its capture, and `order.payment_captured` activates them with the order's own points.
 */
describe("referral awards wait for the first order's capture", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string
  const rules = rulesDirWithProgram({ spendable_on: "captured" }, CAMPAIGNS)

  beforeAll(async () => {
    ;({ store, admin, region, shirt } = await campaignStore(rules.dir))
  })

  afterAll(async () => {
    await store?.stop()
    rules.remove()
  })

  it("activates both referral awards when the first order's payment is captured", async () => {
    const { referrer, referred } = await referredPair(store)
    const order = await placeOrder(store, { token: referred, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const entriesOf = (c: Customer) =>
      query(store.databaseUrl, `SELECT kind, points, pending_delta FROM loyalty_ledger_entry WHERE customer_id = $1 AND (details->'action'->>'type' = 'referral' OR kind = 'activation') ORDER BY seq`, [c.id])
    const pending = await waitFor(async () => {
      const rows = await entriesOf(referrer)
      return rows.length > 0 ? rows : null
    }, { timeoutMs: 120_000, description: "the referrer's award" })
    expect(pending).toEqual([{ kind: "action", points: 0, pending_delta: 500 }])

    expectOk(await admin.api.post(`/admin/orders/${order.id}/capture`, {}), "capture")
    const activated = await waitFor(async () => {
      const rows = await entriesOf(referrer)
      return rows.length >= 2 ? rows : null
    }, { timeoutMs: 120_000, description: "the referrer's award activated on capture" })
    expect(activated[1]).toEqual({ kind: "activation", points: 500, pending_delta: -500 })
    const referred_entries = await waitFor(async () => {
      const rows = await entriesOf(referred)
      return rows.filter((r) => r.kind === "activation").length >= 2 ? rows : null
    }, { timeoutMs: 120_000, description: "the order's points and the referred award activated" })
    expect(referred_entries).toContainEqual({ kind: "activation", points: 500, pending_delta: -500 })
    const account = expectOk(await admin.api.get(`/admin/loyalty/accounts/${referred.id}`), "GET account").loyalty_account
    expect(account.points_pending).toBe(0)
    expect(expectOk(await admin.api.get("/admin/loyalty/verify"), "verify").ok).toBe(true)
  })
})
