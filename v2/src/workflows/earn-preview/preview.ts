/**
 * The store's earn previews: the adapter reads the cart (or the product's variants) and the member with Query, and
 * the core's earnPreview decides with the same evaluation the order's accrual runs (order-points/order-facts.ts maps
 * the order the same way: item_subtotal, discount_subtotal, totals in minor units). Reads only.
 */
import { QueryContext } from "@medusajs/framework/utils"
import { earnPreview, previewNeedsMemberFacts, productEarnPreview, type CartFacts, type EarnPreview, type PreviewMember, type VariantForPreview, type VariantPreview } from "../../core/domain/program/earn-preview"
import { withPointsPaidAsDiscount } from "../../core/domain/ledger/points-payment"
import { currencyDecimals } from "../../core/domain/shared/currency"
import { LoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import { toMinorUnits } from "../../lib/money"
import { memberFactsOf } from "../members/member-facts"
import { lineItemFacts, NOT_PLACED_STATUSES, pointsPaidMinor } from "../order-points/order-facts"

const CUSTOMER_FIELDS = ["id", "email", "has_account", "created_at", "groups.id"]

const CART_FIELDS = [
  "id", "email", "customer_id", "currency_code", "region_id", "sales_channel_id",
  "item_subtotal", "discount_subtotal", "shipping_total", "tax_total", "total",
  "items.id", "items.title", "items.product_id", "items.variant_id", "items.variant_sku", "items.product_type",
  "items.product_type_id", "items.quantity", "items.unit_price", "items.subtotal", "items.discount_total", "items.total",
  "items.product.id", "items.product.collection_id", "items.product.type_id", "items.product.type.value", "items.product.tags.value",
  "credit_lines.reference", "credit_lines.amount",
  ...CUSTOMER_FIELDS.map((f) => `customer.${f}`),
]

const notFound = (what: string, id: string) => new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `${what} ${id} was not found`, { id })

/** GET /store/carts/:id/loyalty/preview: what the cart will earn once placed, at `now`. One Query read, plus the account. */
export async function cartEarnPreview(scope: Resolver, cart_id: string, now: Date): Promise<EarnPreview & { cart_id: string; currency_code: string }> {
  const rulebook = loyaltyOf(scope).getRulebook()
  const { data } = await queryOf(scope).graph({ entity: "cart", fields: CART_FIELDS, filters: { id: cart_id } })
  const cart = data[0]
  if (!cart) throw notFound("Cart", cart_id)
  const decimals = currencyDecimals(cart.currency_code)
  const minor = (v: unknown) => toMinorUnits(v, decimals)
  const items = (cart.items ?? []).map((item: any) => lineItemFacts(item, minor))
  const facts: CartFacts = {
    id: cart.id, subtotal: minor(cart.item_subtotal), discount_total: minor(cart.discount_subtotal), shipping_total: minor(cart.shipping_total),
    tax_total: minor(cart.tax_total), total: minor(cart.total), gift_card_total: 0, currency_code: cart.currency_code, currency_decimals: decimals,
    region_id: cart.region_id, sales_channel_id: cart.sales_channel_id ?? null, items,
  }
  // Points applied to the cart pay for goods, which then earn nothing (the order's facts will say the same).
  const paid = withPointsPaidAsDiscount(facts, pointsPaidMinor(cart.credit_lines, minor))
  const member = await previewMember(scope, cart.customer_id ? cart.customer : null, now)
  return { cart_id: cart.id, currency_code: cart.currency_code, ...earnPreview(rulebook, paid, member, now) }
}

/**
 * GET /store/products/:id/loyalty/preview: one unit of each variant at its price in the region's currency, for the
 * logged-in customer (`customer_id`) or, without one, for a new member.
 */
export async function productPreview(scope: Resolver, product_id: string, region_id: string, customer_id: string | null, now: Date) {
  const rulebook = loyaltyOf(scope).getRulebook()
  const query = queryOf(scope)
  const { data: regions } = await query.graph({ entity: "region", fields: ["id", "currency_code"], filters: { id: region_id } })
  if (!regions[0]) throw notFound("Region", region_id)
  const currency_code: string = regions[0].currency_code
  const [{ data: products }, customers] = await Promise.all([
    query.graph({
      entity: "product",
      fields: ["id", "collection_id", "type_id", "type.value", "tags.value", "variants.id", "variants.title", "variants.sku", "variants.calculated_price.calculated_amount"],
      filters: { id: product_id },
      context: { variants: { calculated_price: QueryContext({ region_id, currency_code }) } },
    }),
    customer_id ? query.graph({ entity: "customer", fields: CUSTOMER_FIELDS, filters: { id: customer_id } }).then((r) => r.data) : Promise.resolve([]),
  ])
  const product = products[0]
  if (!product) throw notFound("Product", product_id)
  const decimals = currencyDecimals(currency_code)
  const variants: VariantForPreview[] = (product.variants ?? []).map((v: any) => ({
    variant_id: v.id, title: v.title, sku: v.sku ?? null, product_id: product.id, collection_id: product.collection_id ?? null,
    type: product.type?.value ?? null, type_id: product.type_id ?? null, tags: (product.tags ?? []).map((t: { value: string }) => t.value),
    unit_price_minor: v.calculated_price?.calculated_amount == null ? null : toMinorUnits(v.calculated_price.calculated_amount, decimals),
  }))
  const member = await previewMember(scope, customers[0] ?? null, now)
  const where = { currency_code, currency_decimals: decimals, region_id, sales_channel_id: null }
  const preview: { member: boolean; variants: VariantPreview[] } = productEarnPreview(rulebook, variants, where, member, now)
  return { product_id: product.id, region_id, currency_code, ...preview, rulebook_version: rulebook.version }
}

/**
 * The member as the order's accrual will see them: their orders that still stand (counted, not read: every one of
 * them is earlier than an order placed now) and the account (null before the first posting), read side by side.
 */
async function previewMember(scope: Resolver, c: any | null, now: Date): Promise<PreviewMember> {
  if (!c?.has_account) return { customer: null, earlier_orders: 0, account: null }
  const loyalty = loyaltyOf(scope)
  const [row, orders] = await Promise.all([
    loyalty.findAccount(c.id),
    queryOf(scope).graph({ entity: "order", fields: ["id"], filters: { customer_id: c.id, status: { $nin: NOT_PLACED_STATUSES } }, pagination: { take: 1, skip: 0 } }),
  ])
  const account = row && {
    points_balance: row.points_balance, points_lifetime: Number(row.points_lifetime), tier: row.tier,
    tier_below_since: row.tier_below_since ? new Date(row.tier_below_since) : null,
  }
  const member_facts = row && previewNeedsMemberFacts(loyalty.getRulebook()) ? await memberFactsOf(scope, row, now) : undefined
  return {
    customer: { id: c.id, email: c.email, has_account: true, created_at: c.created_at, group_ids: (c.groups ?? []).map((g: { id: string }) => g.id) },
    earlier_orders: orderCount(orders),
    account,
    member_facts: member_facts ?? undefined,
  }
}

/** The count a paginated Query read answers (`metadata.count`); its first page alone would undercount. */
function orderCount(page: { data: unknown[]; metadata?: { count?: number } }): number {
  const count = page.metadata?.count
  if (typeof count !== "number") throw new Error("Query answered no count for the customer's orders")
  return count
}
