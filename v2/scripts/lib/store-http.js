// A real v2 store set up and driven over HTTP, as a storefront and an admin do (the recipe's section 3): publishable
// key, region (eur/de, pp_system_default), stock location + shipping, products, customers, carts → orders.
// Plain CommonJS: used by the HTTP integration suite (integration-tests/http/store.ts) and by the root's
// `npm run demo -- --v2` (scripts/demo.mjs).

/**
 * @template T
 * @param {string} what
 * @param {() => Promise<T | null | undefined | false>} probe
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
async function waitFor(what, probe, timeoutMs = 120_000) {
  const start = Date.now()
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/**
 * An axios-like client over fetch (what @medusajs/test-utils hands the suite): `{ status, data }`, and a rejection
 * carrying `response` for a status ≥ 400.
 * @param {string} baseUrl
 */
function fetchApi(baseUrl) {
  /** @param {string} method @param {string} path @param {unknown} [body] @param {{ headers?: Record<string, string> }} [opts] */
  async function call(method, path, body, opts = {}) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(opts.headers ?? {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    let data = text
    try {
      data = text ? JSON.parse(text) : null
    } catch {
      /* not JSON */
    }
    const response = { status: res.status, data }
    if (res.status >= 400) throw Object.assign(new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`), { response })
    return response
  }
  return {
    get: (path, opts) => call("GET", path, undefined, opts),
    post: (path, body, opts) => call("POST", path, body ?? {}, opts),
    delete: (path, opts) => call("DELETE", path, undefined, opts),
  }
}

/**
 * Sets up a store for selling over HTTP with an admin's headers, and returns helpers to register customers and
 * place orders. Products at `prices` (major units, eur) are created at once; others on first use.
 * @param {ReturnType<typeof fetchApi>} api
 * @param {{ headers: Record<string, string> }} admin
 * @param {number[]} [prices]
 */
async function setUpStore(api, admin, prices = [100, 19.99, 0.99]) {
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
  /** @type {Map<number, string>} */
  const variants = new Map()
  /** @param {number} price */
  async function variantAt(price) {
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
    return /** @type {string} */ (variants.get(price))
  }
  const pk = { "x-publishable-api-key": api_key.token }
  for (const price of prices) await variantAt(price)

  /** @param {string} email */
  async function registerCustomer(email) {
    const { data: { token: regToken } } = await api.post("/auth/customer/emailpass/register", { email, password: "pw" })
    const { data: { customer } } = await api.post(
      "/store/customers",
      { email, first_name: "F", last_name: "L" },
      { headers: { ...pk, authorization: `Bearer ${regToken}` } }
    )
    const { data: { token } } = await api.post("/auth/customer/emailpass", { email, password: "pw" })
    return { id: /** @type {string} */ (customer.id), email, token: /** @type {string} */ (token), headers: { ...pk, authorization: `Bearer ${token}` } }
  }

  /** @param {{ headers: Record<string, string> }} customer @param {Array<{ price: number, quantity: number }>} items */
  async function placeOrder(customer, items) {
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
    return /** @type {{ id: string, total: number }} */ (data.order)
  }

  /** @param {string} order_id */
  async function paymentOf(order_id) {
    const { data: { order } } = await api.get(`/admin/orders/${order_id}?fields=*payment_collections.payments`, admin)
    return /** @type {string} */ (order.payment_collections[0].payments[0].id)
  }

  return { admin, pk, region, sc, registerCustomer, placeOrder, paymentOf, variantAt }
}

/**
 * An admin's bearer headers from email and password (the user exists: `medusa user`, or the suite's workflow).
 * @param {ReturnType<typeof fetchApi>} api @param {string} email @param {string} password
 */
async function adminHeaders(api, email, password) {
  const { data: { token } } = await api.post("/auth/user/emailpass", { email, password })
  return { headers: { authorization: `Bearer ${token}` } }
}

module.exports = { waitFor, fetchApi, setUpStore, adminHeaders }
