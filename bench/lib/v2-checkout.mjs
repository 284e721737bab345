// A storefront checkout on a v2 bench app (lib/v2.mjs), split so a section can time the completion alone and put a
// promotion code on the cart before its payment collection exists (v2 refreshes the payment collection when the
// cart's totals change): cart → line item → address → shipping method → [code] → payment collection → session →
// complete. The same requests as store-http.js placeOrder.
import { nowMs } from "./stats.mjs"

const ADDRESS = { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" }

/**
 * A cart of `member` ready to complete: one 25 eur item, address, the first shipping option; `beforePayment(cart_id)`
 * runs before the payment collection is created (to apply a code). Returns the cart id.
 * @param {import("./v2.mjs").V2Store} v2
 * @param {{ headers: Record<string, string> }} member
 * @param {{ quantity?: number, beforePayment?: (cart_id: string) => Promise<unknown> }} [opts]
 * @returns {Promise<string>}
 */
export async function prepareV2Cart(v2, member, opts = {}) {
  const { api, shop } = v2
  const h = { headers: member.headers }
  const { data: { cart } } = await api.post("/store/carts", { region_id: shop.region.id, sales_channel_id: shop.sc }, h)
  await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: v2.variant_id, quantity: opts.quantity ?? 1 }, h)
  await api.post(`/store/carts/${cart.id}`, { shipping_address: ADDRESS }, h)
  const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${cart.id}`, h)
  await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id }, h)
  if (opts.beforePayment) await opts.beforePayment(cart.id)
  const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id: cart.id }, h)
  await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
  return cart.id
}

/**
 * POST /store/carts/:id/complete, timed; throws unless it answers an order.
 * @param {import("./v2.mjs").V2Store} v2
 * @param {{ headers: Record<string, string> }} member
 * @param {string} cart_id
 * @returns {Promise<{ order: { id: string, total: number }, ms: number }>}
 */
export async function completeV2Cart(v2, member, cart_id) {
  const t0 = nowMs()
  const { data } = await v2.api.post(`/store/carts/${cart_id}/complete`, {}, { headers: member.headers })
  const ms = nowMs() - t0
  if (data.type !== "order") throw new Error(`cart ${cart_id} completed as ${data.type}: ${JSON.stringify(data).slice(0, 500)}`)
  return { order: data.order, ms }
}
