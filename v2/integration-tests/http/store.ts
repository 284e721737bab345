/**
 * A real v2 store over HTTP, as a storefront and an admin drive it (the recipe's section 3): admin token, publishable
 * key, region (eur/de, pp_system_default), stock location + shipping, products, customers, carts → orders.
 */
import { createUserAccountWorkflow } from "@medusajs/medusa/core-flows"

type Api = { get: Function; post: Function; delete: Function }

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const start = Date.now()
  for (;;) {
    const value = await probe()
    if (value) return value as T
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

export async function createStore(api: Api, container: any, prices: number[] = [100, 19.99, 0.99]) {
  const email = "admin@loyalty.test"
  const reg = await api.post("/auth/user/emailpass/register", { email, password: "pw" })
  const authIdentityId = JSON.parse(Buffer.from(reg.data.token.split(".")[1], "base64url").toString()).auth_identity_id
  await createUserAccountWorkflow(container).run({ input: { authIdentityId, userData: { email } } })
  const { data: { token } } = await api.post("/auth/user/emailpass", { email, password: "pw" })
  const admin = { headers: { authorization: `Bearer ${token}` } }

  // A booted app has these defaults; the test runner's fresh database may not.
  const { data: { sales_channels } } = await api.get("/admin/sales-channels", admin)
  const sc = sales_channels[0]?.id ?? (await api.post("/admin/sales-channels", { name: "Default" }, admin)).data.sales_channel.id
  const { data: { shipping_profiles } } = await api.get("/admin/shipping-profiles", admin)
  const profile =
    shipping_profiles[0]?.id ?? (await api.post("/admin/shipping-profiles", { name: "Default", type: "default" }, admin)).data.shipping_profile.id
  const { data: { api_key } } = await api.post("/admin/api-keys", { title: "store", type: "publishable" }, admin)
  await api.post(`/admin/api-keys/${api_key.id}/sales-channels`, { add: [sc] }, admin)
  const { data: { region } } = await api.post(
    "/admin/regions",
    { name: "DE", currency_code: "eur", countries: ["de"], payment_providers: ["pp_system_default"] },
    admin
  )
  const { data: { stock_location } } = await api.post("/admin/stock-locations", { name: "WH", address: { address_1: "1 St", country_code: "de" } }, admin)
  await api.post(`/admin/stock-locations/${stock_location.id}/sales-channels`, { add: [sc] }, admin)
  await api.post(`/admin/stock-locations/${stock_location.id}/fulfillment-providers`, { add: ["manual_manual"] }, admin)
  const { data: { stock_location: withSet } } = await api.post(
    `/admin/stock-locations/${stock_location.id}/fulfillment-sets?fields=*fulfillment_sets`,
    { name: "ship", type: "shipping" },
    admin
  )
  const setId = withSet.fulfillment_sets[0].id
  const { data: { fulfillment_set } } = await api.post(
    `/admin/fulfillment-sets/${setId}/service-zones`,
    { name: "DE", geo_zones: [{ type: "country", country_code: "de" }] },
    admin
  )
  const zone = fulfillment_set.service_zones[0].id
  await api.post(
    "/admin/shipping-options",
    {
      name: "Standard", service_zone_id: zone, shipping_profile_id: profile, provider_id: "manual_manual", price_type: "flat",
      type: { label: "Standard", description: "std", code: "standard" }, prices: [{ currency_code: "eur", amount: 10 }],
      rules: [{ attribute: "enabled_in_store", value: "true", operator: "eq" }, { attribute: "is_return", value: "false", operator: "eq" }],
    },
    admin
  )
  const variants = new Map<number, string>()
  async function variantAt(price: number): Promise<string> {
    if (!variants.has(price)) {
      const { data: { product } } = await api.post(
        "/admin/products",
        {
          title: `P ${price}`, status: "published", shipping_profile_id: profile, options: [{ title: "Size", values: ["M"] }],
          variants: [{ title: "M", options: { Size: "M" }, manage_inventory: false, prices: [{ currency_code: "eur", amount: price }] }],
          sales_channels: [{ id: sc }],
        },
        admin
      )
      variants.set(price, product.variants[0].id)
    }
    return variants.get(price)!
  }
  const pk = { "x-publishable-api-key": api_key.token }
  // Products exist before the runner's per-test database snapshot (taken after beforeAll): every test can buy them.
  for (const price of prices) await variantAt(price)

  async function registerCustomer(email: string) {
    const { data: { token: regToken } } = await api.post("/auth/customer/emailpass/register", { email, password: "pw" })
    const { data: { customer } } = await api.post(
      "/store/customers",
      { email, first_name: "F", last_name: "L" },
      { headers: { ...pk, authorization: `Bearer ${regToken}` } }
    )
    const { data: { token } } = await api.post("/auth/customer/emailpass", { email, password: "pw" })
    return { id: customer.id as string, email, headers: { ...pk, authorization: `Bearer ${token}` } }
  }

  async function placeOrder(customer: { headers: Record<string, string> }, items: Array<{ price: number; quantity: number }>) {
    const h = { headers: customer.headers }
    const { data: { cart } } = await api.post("/store/carts", { region_id: region.id, sales_channel_id: sc }, h)
    for (const item of items) {
      await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await variantAt(item.price), quantity: item.quantity }, h)
    }
    await api.post(
      `/store/carts/${cart.id}`,
      { shipping_address: { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" } },
      h
    )
    const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${cart.id}`, h)
    await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id }, h)
    const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id: cart.id }, h)
    await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
    const { data } = await api.post(`/store/carts/${cart.id}/complete`, {}, h)
    if (data.type !== "order") throw new Error(`cart completion failed: ${JSON.stringify(data)}`)
    return data.order as { id: string; total: number }
  }

  async function paymentOf(order_id: string): Promise<string> {
    const { data: { order } } = await api.get(`/admin/orders/${order_id}?fields=*payment_collections.payments`, admin)
    return order.payment_collections[0].payments[0].id
  }

  return { admin, pk, region, sc, registerCustomer, placeOrder, paymentOf }
}
