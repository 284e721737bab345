// @ts-check
/**
 * Small HTTP helpers to drive a running Medusa 1.20 store like a real admin / shopper (global fetch).
 * Shared by the integration tests and scripts/demo.mjs. Every helper throws a readable error on non-2xx.
 */
const crypto = require("crypto")

/**
 * @typedef {{ status: number, body: any }} ApiResponse
 * @typedef {object} ApiClient
 * @property {string} baseUrl
 * @property {string | undefined} token
 * @property {(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>) => Promise<ApiResponse>} request
 * @property {(path: string) => Promise<ApiResponse>} get
 * @property {(path: string, body?: unknown, extraHeaders?: Record<string, string>) => Promise<ApiResponse>} post extraHeaders
 *   e.g. `{ "Idempotency-Key": key }`
 * @property {(path: string) => Promise<ApiResponse>} del
 * @typedef {{ baseUrl: string, container?: any }} StoreLike anything with a baseUrl (a Store from store.js)
 * @typedef {{ baseUrl: string, token: string, email: string, password: string, api: ApiClient }} Admin
 * @typedef {{ id: string, email: string, password: string, token: string, api: ApiClient }} Customer
 */

/**
 * JSON client. `token` is sent as `Authorization: Bearer`. Never throws on HTTP status.
 * @param {string} baseUrl
 * @param {string} [token]
 * @returns {ApiClient}
 */
function api(baseUrl, token) {
  /** @type {ApiClient["request"]} */
  async function request(method, path, body, extraHeaders = {}) {
    /** @type {Record<string, string>} */
    const headers = { accept: "application/json", ...extraHeaders }
    if (body !== undefined) headers["content-type"] = "application/json"
    if (token) headers.authorization = `Bearer ${token}`
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let parsed = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    return { status: res.status, body: parsed }
  }
  return {
    baseUrl,
    token,
    request,
    get: (p) => request("GET", p),
    post: (p, b, extraHeaders) => request("POST", p, b ?? {}, extraHeaders),
    del: (p) => request("DELETE", p),
  }
}

/**
 * Throw unless `res.status` is 2xx.
 * @param {ApiResponse} res
 * @param {string} what description for the error message, e.g. "POST /store/carts"
 * @returns {any} the body
 */
function expectOk(res, what) {
  if (res.status < 200 || res.status >= 300) {
    const body = typeof res.body === "string" ? res.body : JSON.stringify(res.body)
    throw new Error(`${what} answered ${res.status}: ${body && body.slice(0, 800)}`)
  }
  return res.body
}

const rnd = () => crypto.randomBytes(4).toString("hex")

/**
 * Create an admin user in-process and log it in over HTTP.
 * @param {StoreLike & { container: any }} store
 * @param {{ email?: string, password?: string }} [opts]
 * @returns {Promise<Admin>}
 */
async function createAdmin(store, opts = {}) {
  const email = opts.email ?? `admin-${rnd()}@example.com`
  const password = opts.password ?? `secret-${rnd()}`
  await store.container.resolve("userService").create({ email, role: "admin" }, password)
  const body = expectOk(await api(store.baseUrl).post("/admin/auth/token", { email, password }), "POST /admin/auth/token")
  const token = body.access_token
  return { baseUrl: store.baseUrl, token, email, password, api: api(store.baseUrl, token) }
}

/**
 * Region with manual payment + fulfillment, tax 0, a flat-rate shipping option and a return option.
 * A country belongs to one region only: pass other `countries` for a second region.
 * @param {Admin} admin
 * @param {{ name?: string, currency_code?: string, countries?: string[], shippingAmount?: number }} [opts]
 * @returns {Promise<any>} the region, plus `shipping_option` and `return_shipping_option`
 */
async function createRegion(admin, opts = {}) {
  const currency_code = opts.currency_code ?? "usd"
  const countries = opts.countries ?? ["us"]
  const { region } = expectOk(
    await admin.api.post("/admin/regions", {
      name: opts.name ?? `Region ${currency_code.toUpperCase()} ${rnd()}`,
      currency_code,
      tax_rate: 0,
      payment_providers: ["manual"],
      fulfillment_providers: ["manual"],
      countries,
    }),
    "POST /admin/regions"
  )
  const option = (/** @type {boolean} */ isReturn) => ({
    name: isReturn ? "Manual return" : "Manual flat rate",
    region_id: region.id,
    provider_id: "manual",
    data: { id: "manual-fulfillment" },
    price_type: "flat_rate",
    amount: opts.shippingAmount ?? 1000,
    is_return: isReturn,
  })
  const so = expectOk(await admin.api.post("/admin/shipping-options", option(false)), "POST /admin/shipping-options")
  const rso = expectOk(
    await admin.api.post("/admin/shipping-options", option(true)),
    "POST /admin/shipping-options (return)"
  )
  return { ...region, shipping_option: so.shipping_option, return_shipping_option: rso.shipping_option }
}

/**
 * Published product with one variant (no inventory management).
 * `collection` is a collection title (created when missing); `type` a product type value; `tags` tag values.
 * @param {Admin} admin
 * @param {{ title: string, price: number, currency_code?: string, tags?: string[], type?: string, collection?: string }} opts
 * @returns {Promise<string>} the variant id
 */
async function createProduct(admin, opts) {
  let collection_id
  if (opts.collection) {
    const list = expectOk(await admin.api.get("/admin/collections?limit=1000"), "GET /admin/collections")
    const found = list.collections.find((/** @type {any} */ c) => c.title === opts.collection)
    collection_id = found
      ? found.id
      : expectOk(await admin.api.post("/admin/collections", { title: opts.collection }), "POST /admin/collections")
          .collection.id
  }
  const { product } = expectOk(
    await admin.api.post("/admin/products", {
      title: opts.title,
      status: "published",
      options: [{ title: "Default" }],
      variants: [
        {
          title: "Default",
          prices: [{ currency_code: opts.currency_code ?? "usd", amount: opts.price }],
          options: [{ value: "default" }],
          manage_inventory: false,
        },
      ],
      ...(opts.tags ? { tags: opts.tags.map((value) => ({ value })) } : {}),
      ...(opts.type ? { type: { value: opts.type } } : {}),
      ...(collection_id ? { collection_id } : {}),
    }),
    "POST /admin/products"
  )
  return product.variants[0].id
}

/**
 * Register a customer through the store API and log it in.
 * @param {StoreLike} store
 * @param {{ email?: string, password?: string, first_name?: string, last_name?: string }} [opts]
 * @returns {Promise<Customer>}
 */
async function createCustomer(store, opts = {}) {
  const email = opts.email ?? `shopper-${rnd()}@example.com`
  const password = opts.password ?? `pw-${rnd()}`
  const { customer } = expectOk(
    await api(store.baseUrl).post("/store/customers", {
      email,
      password,
      first_name: opts.first_name ?? "Test",
      last_name: opts.last_name ?? "Shopper",
    }),
    "POST /store/customers"
  )
  const { access_token } = expectOk(
    await api(store.baseUrl).post("/store/auth/token", { email, password }),
    "POST /store/auth/token"
  )
  return { id: customer.id, email, password, token: access_token, api: api(store.baseUrl, access_token) }
}

/**
 * A storefront cart ready to complete: items, shipping address (and email for a guest), discount / gift card codes,
 * the first non-return shipping option, the manual payment session selected. Logged-in customer: pass `token` (a
 * customer token or a Customer). Guest: omit it; `email` is then used (a random one by default).
 * @param {StoreLike} store
 * @param {{ token?: string | Customer, email?: string, region: string | { id: string, countries?: { iso_2: string }[] },
 *   items: { variant_id: string, quantity: number }[], discountCode?: string, giftCardCode?: string, countryCode?: string }} opts
 * @returns {Promise<{ cart: any, api: ApiClient }>} the cart and the shopper's client
 */
async function prepareCart(store, opts) {
  const token = typeof opts.token === "object" ? opts.token.token : opts.token
  const c = api(store.baseUrl, token)
  const region_id = typeof opts.region === "string" ? opts.region : opts.region.id
  const country_code =
    opts.countryCode ??
    (typeof opts.region === "object" && opts.region.countries?.[0]?.iso_2) ??
    "us"
  const step = async (/** @type {string} */ what, /** @type {Promise<ApiResponse>} */ p) => expectOk(await p, what)

  let { cart } = await step("POST /store/carts", c.post("/store/carts", { region_id }))
  for (const item of opts.items) {
    ;({ cart } = await step(`POST /store/carts/${cart.id}/line-items`, c.post(`/store/carts/${cart.id}/line-items`, item)))
  }
  /** @type {Record<string, unknown>} */
  const update = {
    shipping_address: {
      first_name: "Test",
      last_name: "Shopper",
      address_1: "1 Main Street",
      city: "Springfield",
      postal_code: "12345",
      country_code,
    },
  }
  if (!token) update.email = opts.email ?? `guest-${rnd()}@example.com`
  else if (opts.email) update.email = opts.email
  if (opts.discountCode) update.discounts = [{ code: opts.discountCode }]
  if (opts.giftCardCode) update.gift_cards = [{ code: opts.giftCardCode }]
  ;({ cart } = await step(`POST /store/carts/${cart.id}`, c.post(`/store/carts/${cart.id}`, update)))

  const { shipping_options } = await step(
    `GET /store/shipping-options/${cart.id}`,
    c.get(`/store/shipping-options/${cart.id}`)
  )
  const option = (shipping_options ?? []).find((/** @type {any} */ o) => !o.is_return)
  if (!option) throw new Error(`prepareCart: no shipping option for cart ${cart.id} (region ${region_id})`)
  await step(`POST /store/carts/${cart.id}/shipping-methods`, c.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: option.id }))
  await selectManualPayment(c, cart.id)
  return { cart, api: c }
}

/**
 * (Re)creates the cart's payment sessions and selects the manual provider: after a change of totals (a code
 * removed) a storefront does this again before completing.
 * @param {ApiClient} c
 * @param {string} cart_id
 */
async function selectManualPayment(c, cart_id) {
  expectOk(await c.post(`/store/carts/${cart_id}/payment-sessions`), `POST /store/carts/${cart_id}/payment-sessions`)
  const { cart } = expectOk(
    await c.post(`/store/carts/${cart_id}/payment-session`, { provider_id: "manual" }),
    `POST /store/carts/${cart_id}/payment-session`
  )
  return cart
}

/**
 * Full storefront checkout over HTTP (prepareCart, then complete); returns the order (status "pending", payment
 * awaiting). Guest checkouts create a customer with has_account=false.
 * @param {StoreLike} store
 * @param {Parameters<typeof prepareCart>[1]} opts
 * @returns {Promise<any>} the order
 */
async function placeOrder(store, opts) {
  const { cart, api: c } = await prepareCart(store, opts)
  const done = expectOk(await c.post(`/store/carts/${cart.id}/complete`), `POST /store/carts/${cart.id}/complete`)
  if (done.type !== "order") {
    throw new Error(`placeOrder: cart ${cart.id} completed as ${JSON.stringify(done.type)}, not an order: ${JSON.stringify(done).slice(0, 500)}`)
  }
  return done.data
}

/**
 * `POST /store/customers/me/loyalty/redemptions` as `customer` (null: no session) with a fresh Idempotency-Key, or
 * `key` (null: no header). Never throws on HTTP status: tests assert the answer.
 * @param {StoreLike} store
 * @param {Customer | null} customer
 * @param {unknown} body e.g. { points: 500, region_id } or { points: 500, cart_id } (anything, to test refusals)
 * @param {string | null} [key]
 * @returns {Promise<ApiResponse>}
 */
async function redeemPoints(store, customer, body, key = crypto.randomUUID()) {
  /** @type {Record<string, string>} */
  const headers = { "content-type": "application/json", accept: "application/json" }
  if (customer) headers.authorization = `Bearer ${customer.token}`
  if (key !== null) headers["idempotency-key"] = key
  const res = await fetch(`${store.baseUrl}/store/customers/me/loyalty/redemptions`, { method: "POST", headers, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json().catch(() => null) }
}

/**
 * Poll `fn` until it returns a truthy value (returned) or the timeout passes (throws, with the last error).
 * Errors thrown by `fn` count as "not yet". Events take up to ~3 s per hop. The default limit is generous (2 min): a
 * condition that holds returns at once, and a loaded 2-core machine may take far longer than an idle one.
 * @template T
 * @param {() => T | Promise<T>} fn
 * @param {{ timeoutMs?: number, intervalMs?: number, description?: string }} [opts]
 * @returns {Promise<NonNullable<T>>}
 */
async function waitFor(fn, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? 120_000
  const intervalMs = opts.intervalMs ?? 250
  const deadline = Date.now() + timeoutMs
  /** @type {unknown} */
  let lastError
  /** @type {unknown} */
  let lastValue
  for (;;) {
    try {
      const v = await fn()
      lastValue = v
      if (v) return /** @type {NonNullable<T>} */ (v)
    } catch (e) {
      lastError = e
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? lastError.message : lastError ? String(lastError) : `last value ${JSON.stringify(lastValue)}`
      throw new Error(`waitFor${opts.description ? ` (${opts.description})` : ""}: timed out after ${timeoutMs} ms: ${why}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

module.exports = { api, expectOk, createAdmin, createRegion, createProduct, createCustomer, prepareCart, selectManualPayment, placeOrder, redeemPoints, waitFor }
