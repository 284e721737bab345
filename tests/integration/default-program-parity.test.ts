import { parityRow, parityTable } from "../helpers/default-program-parity"
import { createAdmin, createCustomer, createProduct, createRegion, placeOrder, query, startStore, waitFor } from "../helpers/harness"
import type { Admin, Store } from "../helpers/harness"

/**
 * The v1 half of the default-program parity table: tests/fixtures/default-program-orders.json is the one list of
 * orders and the points the documented default program awards for them. This test places them on a real Medusa 1.20
 * store over HTTP; v2/integration-tests/http/loyalty.spec.ts places the same orders on a real Medusa 2.21 app and
 * asserts the same points, rule names, order totals and tiers. One member goes from Bronze to Silver to Gold, so the
 * tier multipliers are exercised on both adapters.
 */
const table = parityTable()
const minor = (major: number) => Math.round(major * 100)

describe("default-program parity table on Medusa v1", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  const variantByPrice = new Map<number, string>()

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin, { shippingAmount: minor(table.shipping) })
    for (const price of new Set(table.orders.flatMap((o) => o.items.map((i) => i.price)))) {
      variantByPrice.set(price, await createProduct(admin, { title: `Item at ${price}`, price: minor(price) }))
    }
  })

  afterAll(async () => {
    await store?.stop()
  })

  it("awards the table's points, rule names and tiers for the same orders placed over HTTP", async () => {
    const member = await createCustomer(store)
    let balance = 0
    for (const fixture of table.orders) {
      const items = fixture.items.map((i) => ({ variant_id: variantByPrice.get(i.price)!, quantity: i.quantity }))
      const order = await placeOrder(store, { token: member, region, items })
      const [entry] = await waitFor(
        async () => {
          const rows = await query(store.databaseUrl, `SELECT * FROM loyalty_ledger_entry WHERE idempotency_key = $1`, [`order:${order.id}:accrual`])
          return rows.length ? rows : null
        },
        { description: `accrual of ${order.id}`, timeoutMs: 120_000 }
      )
      balance += fixture.points
      const { body } = await member.api.get("/store/customers/me/loyalty")
      const { actual, expected } = parityRow(fixture, entry, body.loyalty_account.tier.code, balance)
      expect(actual).toEqual(expected)
    }
    const { body } = await member.api.get("/store/customers/me/loyalty")
    // Gold → the next tier is Platinum at 20,000 lifetime points.
    expect(body.loyalty_account).toMatchObject({
      points_balance: balance,
      points_lifetime: balance,
      tier: { code: "gold", name: "Gold" },
      next_tier: { code: "platinum", name: "Platinum", threshold: 20000, points_needed: 20000 - balance },
    })
  })
})
