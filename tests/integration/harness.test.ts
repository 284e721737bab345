/**
 * Smoke suite for the integration harness itself: a real Medusa 1.20 with this plugin on PostgreSQL
 * (its own throwaway database), driven over HTTP like a shop.
 */
import {
  createAdmin,
  createCustomer,
  createProduct,
  createRegion,
  placeOrder,
  startStore,
  type Admin,
  type Store,
} from "../helpers/harness"

describe("integration harness", () => {
  let store: Store
  let admin: Admin
  let region: any
  let variantId: string

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    variantId = await createProduct(admin, { title: "Harness mug", price: 2500, tags: ["mugs"], type: "kitchen", collection: "Harness" })
  })

  afterAll(async () => {
    await store?.stop()
  })

  it("boots a store with the plugin on its own throwaway database and serves HTTP", async () => {
    expect(store.databaseUrl).toMatch(/\/loyalty_test_[a-z0-9_]+$/)
    const res = await fetch(`${store.baseUrl}/health`)
    expect(res.status).toBe(200)
  })

  it("gives a region a manual shipping option and a return shipping option", () => {
    expect(region.currency_code).toBe("usd")
    expect(region.shipping_option).toMatchObject({ region_id: region.id, is_return: false })
    expect(region.return_shipping_option).toMatchObject({ region_id: region.id, is_return: true })
  })

  it("places a logged-in customer's order through the store API", async () => {
    const customer = await createCustomer(store, { first_name: "Ada" })
    const order = await placeOrder(store, { token: customer.token, region, items: [{ variant_id: variantId, quantity: 2 }] })
    expect(order).toMatchObject({ status: "pending", customer_id: customer.id, email: customer.email })
    expect(order.items).toHaveLength(1)
    expect(order.items[0]).toMatchObject({ variant_id: variantId, quantity: 2 })
    const fetched = await admin.api.get(`/admin/orders/${order.id}`)
    expect(fetched.status).toBe(200)
    expect(fetched.body.order).toMatchObject({ id: order.id, status: "pending", customer_id: customer.id })
  })

  it("places a guest order, for which Medusa creates a customer without an account", async () => {
    const email = `guest-${Date.now()}@example.com`
    const order = await placeOrder(store, { email, region, items: [{ variant_id: variantId, quantity: 1 }] })
    expect(order).toMatchObject({ status: "pending", email })
    expect(order.customer_id).toEqual(expect.any(String))
    const customer = await admin.api.get(`/admin/customers/${order.customer_id}`)
    expect(customer.body.customer).toMatchObject({ email, has_account: false })
  })

  it("reports a failed checkout step with the route and Medusa's message", async () => {
    await expect(
      placeOrder(store, { region, items: [{ variant_id: "variant_does_not_exist", quantity: 1 }] })
    ).rejects.toThrow(/POST \/store\/carts\/cart_[^/]+\/line-items answered [45]\d\d/)
  })
})
