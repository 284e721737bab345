import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, startStore, settleEvents, orderEntries, waitForOrderEntries } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * The life of an order's points on a real Medusa 1.20 store: cancels, refunds and returns made through the admin
 * API, events delivered by Medusa's own bus. Default program: a first order of 123.45 (+10.00 shipping, total
 * 133.45) earns 123 + 100 = 223 points.
 */
describe("points after cancels, refunds and returns", () => {
  let store: Store
  let admin: Admin
  let region: { id: string; return_shipping_option: { id: string } }
  let shirt: string

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
  })

  afterAll(async () => {
    await store?.stop()
  })

  const COLUMNS = "kind, points, pending_delta, balance_after"
  const entriesOf = (order_id: string) => orderEntries(store, order_id, COLUMNS)
  const waitForEntries = (order_id: string, n: number) => waitForOrderEntries(store, order_id, n, COLUMNS)
  const balanceOf = async (c: Customer) => (await c.api.get("/store/customers/me/loyalty")).body.loyalty_account
  const firstOrder = async (c: Customer) => {
    const order = await placeOrder(store, { token: c, region, items: [{ variant_id: shirt, quantity: 1 }] })
    await waitForEntries(order.id, 1)
    return order
  }
  const adminPost = async (path: string, body: unknown = {}) => expectOk(await admin.api.post(path, body), `POST ${path}`)
  /** Holds Medusa's events while `work` delivers some through the real subscribers in an order of its choosing; the
   * held events arrive afterwards too, and must change nothing. */
  const withEventsHeld = async (work: () => Promise<void>) => {
    const bus = store.container.resolve("eventBusService")
    await bus.stopEnqueuer()
    try {
      await work()
    } finally {
      bus.startEnqueuer()
    }
    await settleEvents()
  }
  const deliver = (subscriber: string, order_id: string) =>
    require(`../../dist/subscribers/${subscriber}`).default({ data: { id: order_id }, eventName: "", container: store.container, pluginOptions: {} })

  it("takes back everything an order earned when it is canceled, exactly once", async () => {
    const ann = await createCustomer(store)
    const order = await firstOrder(ann)
    expect(await balanceOf(ann)).toMatchObject({ points_balance: 223, points_lifetime: 223 })

    await adminPost(`/admin/orders/${order.id}/cancel`)
    const rows = await waitForEntries(order.id, 2)
    expect(rows).toEqual([
      { kind: "accrual", points: 223, pending_delta: 0, balance_after: 223 },
      { kind: "reversal", points: -223, pending_delta: 0, balance_after: 0 },
    ])
    // A redelivered cancel changes nothing.
    await store.container.resolve("eventBusService").emit("order.canceled", { id: order.id })
    await settleEvents()
    expect(await entriesOf(order.id)).toHaveLength(2)
    expect(await balanceOf(ann)).toMatchObject({ points_balance: 0, points_lifetime: 0 })
  })

  it("awards nothing when the cancel is handled before its order.placed (unordered batch)", async () => {
    const ben = await createCustomer(store)
    await withEventsHeld(async () => {
      const order = await placeOrder(store, { token: ben, region, items: [{ variant_id: shirt, quantity: 1 }] })
      await adminPost(`/admin/orders/${order.id}/cancel`)
      await deliver("order-canceled-reverse", order.id)
      await deliver("order-placed-accrue", order.id)
      expect(await entriesOf(order.id)).toEqual([{ kind: "reversal", points: 0, pending_delta: 0, balance_after: 0 }])
    })
    expect(await balanceOf(ben)).toMatchObject({ points_balance: 0, points_lifetime: 0 })
  })

  it("claws back a refund handled before its order.placed once the accrual is written (unordered batch, no retry)", async () => {
    const eve = await createCustomer(store)
    await withEventsHeld(async () => {
      const order = await placeOrder(store, { token: eve, region, items: [{ variant_id: shirt, quantity: 1 }] })
      await adminPost(`/admin/orders/${order.id}/capture`)
      await adminPost(`/admin/orders/${order.id}/refund`, { amount: 5000, reason: "other" })
      // Nothing to claw from yet: the refund waits for the accrual (no error, no entry), which sweeps the order's refunds.
      await expect(deliver("order-refund-created-clawback", order.id)).resolves.toBeUndefined()
      expect(await entriesOf(order.id)).toEqual([])
      await deliver("order-placed-accrue", order.id)
      // floor(223 × 5000 / 13345) = 83, clawed in the accrual's transaction.
      expect(await entriesOf(order.id)).toEqual([
        { kind: "accrual", points: 223, pending_delta: 0, balance_after: 223 },
        { kind: "clawback", points: -83, pending_delta: 0, balance_after: 140 },
      ])
    })
    expect(await balanceOf(eve)).toMatchObject({ points_balance: 140, points_lifetime: 140 })
  })

  it("claws back partial refunds in proportion, never more than earned, and all of it once fully refunded", async () => {
    const cat = await createCustomer(store)
    const order = await firstOrder(cat)
    await adminPost(`/admin/orders/${order.id}/capture`)

    await adminPost(`/admin/orders/${order.id}/refund`, { amount: 5000, reason: "other" })
    let rows = await waitForEntries(order.id, 2)
    // floor(223 × 5000 / 13345) = 83
    expect(rows[1]).toEqual({ kind: "clawback", points: -83, pending_delta: 0, balance_after: 140 })

    await adminPost(`/admin/orders/${order.id}/refund`, { amount: 8345, reason: "other" })
    rows = await waitForEntries(order.id, 3)
    expect(rows[2]).toEqual({ kind: "clawback", points: -140, pending_delta: 0, balance_after: 0 })
    expect(await balanceOf(cat)).toMatchObject({ points_balance: 0, points_lifetime: 0 })
  })

  it("treats a full refund like a cancel", async () => {
    const dan = await createCustomer(store)
    const order = await firstOrder(dan)
    await adminPost(`/admin/orders/${order.id}/capture`)
    await adminPost(`/admin/orders/${order.id}/refund`, { amount: 13345, reason: "discount" })
    const rows = await waitForEntries(order.id, 2)
    expect(rows[1]).toMatchObject({ kind: "clawback", points: -223, balance_after: 0 })
  })

  it("claws back the refund Medusa makes when a return is received", async () => {
    const eve = await createCustomer(store)
    const order = await firstOrder(eve)
    await adminPost(`/admin/orders/${order.id}/capture`)
    const item_id = order.items[0].id
    const requested = await adminPost(`/admin/orders/${order.id}/return`, {
      items: [{ item_id, quantity: 1 }],
      return_shipping: { option_id: region.return_shipping_option.id, price: 0 },
    })
    const ret = requested.order.returns[0]
    await adminPost(`/admin/returns/${ret.id}/receive`, { items: [{ item_id, quantity: 1 }] })
    const rows = await waitForEntries(order.id, 2)
    // The return refunds the item (123.45): floor(223 × 12345 / 13345) = 206.
    expect(rows[1]).toMatchObject({ kind: "clawback", points: -206, balance_after: 17 })
  })

  it("claws nothing back for a return received without a refund", async () => {
    const fay = await createCustomer(store)
    const order = await firstOrder(fay)
    await adminPost(`/admin/orders/${order.id}/capture`)
    const item_id = order.items[0].id
    const requested = await adminPost(`/admin/orders/${order.id}/return`, {
      items: [{ item_id, quantity: 1 }],
      return_shipping: { option_id: region.return_shipping_option.id, price: 0 },
      refund: 0,
    })
    await adminPost(`/admin/returns/${requested.order.returns[0].id}/receive`, { items: [{ item_id, quantity: 1 }], refund: 0 })
    await settleEvents()
    expect(await entriesOf(order.id)).toHaveLength(1)
    expect(await balanceOf(fay)).toMatchObject({ points_balance: 223 })
  })
})
