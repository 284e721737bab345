import { ProductVariant, type Cart, type CartService, type Order, type PricingService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { earnPreview, previewNeedsMemberFacts, productEarnPreview, type CartFacts, type EarnPreview, type PreviewMember, type VariantForPreview } from "../domain/program/earn-preview"
import { currencyDecimals } from "../domain/shared/currency"
import { LoyaltyError, LoyaltyErrorCodes } from "../domain/shared/errors"
import { orderFacts } from "../utils/medusa-facts"
import type LoyaltyRulesService from "./loyalty-rules"
import type LoyaltyTierService from "./loyalty-tier"

type InjectedDependencies = {
  manager: EntityManager
  cartService: CartService
  pricingService: PricingService
  loyaltyRulesService: LoyaltyRulesService
  loyaltyTierService: LoyaltyTierService
}

/** The cart relations the facts read beyond the ones Medusa's totals add (product type and tags, as an order's). */
const CART_RELATIONS = ["items", "items.variant", "items.variant.product", "items.variant.product.type", "items.variant.product.tags"]

const notFound = (what: string, id: string) => new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `${what} ${id} was not found`, { id })

/**
 * The store's earn previews: what a cart (or one unit of each variant of a product) will earn, by the core's
 * earnPreview, with the facts an order of it will have (the accrual maps the order with the same orderFacts).
 * Reads only: nothing is written, no account is opened.
 */
export default class LoyaltyPreviewService {
  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    this.deps_ = container
  }

  /** GET /store/carts/:id/loyalty/preview: the cart with Medusa's own totals (retrieveWithTotals), and its customer. */
  async cart(cart_id: string, now: Date): Promise<EarnPreview & { cart_id: string; currency_code: string }> {
    const rulebook = this.deps_.loyaltyRulesService.getRulebook()
    const [exists] = await this.deps_.manager.query(`SELECT customer_id FROM cart WHERE id = $1`, [cart_id])
    if (!exists) throw notFound("Cart", cart_id)
    const cart = await this.deps_.cartService.retrieveWithTotals(cart_id, { relations: CART_RELATIONS })
    const currency_code = cart.region.currency_code
    // An order is made of the cart: the same mapper gives its facts (created_at is the preview's now).
    const { created_at: _placed, ...facts }: { created_at: string } & CartFacts = orderFacts(orderOfCart(cart, currency_code, now))
    const member = await this.member(cart.customer_id ?? null, now)
    return { cart_id, currency_code, ...earnPreview(rulebook, facts, member, now) }
  }

  /** GET /store/products/:id/loyalty/preview: the variants' prices in the region (Medusa's price selection) for `customer_id`. */
  async product(product_id: string, region_id: string, customer_id: string | null, now: Date) {
    const rulebook = this.deps_.loyaltyRulesService.getRulebook()
    const [region] = await this.deps_.manager.query(`SELECT id, currency_code FROM region WHERE id = $1 AND deleted_at IS NULL`, [region_id])
    if (!region) throw notFound("Region", region_id)
    const [product] = await this.deps_.manager.query(
      `SELECT p.id, p.collection_id, p.type_id, (SELECT pt.value FROM product_type pt WHERE pt.id = p.type_id) AS type,
              ARRAY(SELECT tg.value FROM product_tags ptg JOIN product_tag tg ON tg.id = ptg.product_tag_id WHERE ptg.product_id = p.id) AS tags
         FROM product p WHERE p.id = $1 AND p.deleted_at IS NULL`,
      [product_id]
    )
    if (!product) throw notFound("Product", product_id)
    const rows = await this.deps_.manager.getRepository(ProductVariant).find({ where: { product_id }, order: { variant_rank: "ASC", created_at: "ASC" } })
    const priced = await this.deps_.pricingService.setVariantPrices(rows, { region_id, currency_code: region.currency_code, customer_id: customer_id ?? undefined, include_discount_prices: true })
    const variants: VariantForPreview[] = priced.map((v) => ({
      variant_id: v.id!, title: v.title ?? "", sku: v.sku ?? null, product_id, collection_id: product.collection_id ?? null, type: product.type ?? null,
      type_id: product.type_id ?? null, tags: product.tags ?? [], unit_price_minor: v.calculated_price == null ? null : Math.round(v.calculated_price),
    }))
    const member = await this.member(customer_id, now)
    const where = { currency_code: region.currency_code, currency_decimals: currencyDecimals(region.currency_code), region_id, sales_channel_id: null }
    return { product_id, region_id, currency_code: region.currency_code, ...productEarnPreview(rulebook, variants, where, member, now), rulebook_version: rulebook.version }
  }

  /**
   * The member as the order's accrual will read them (LoyaltyAccrualService.readOrderMember): the customer and groups,
   * their orders that still stand, and the account, in one query; the full member facts only when the tiers need them.
   */
  private async member(customer_id: string | null, now: Date): Promise<PreviewMember> {
    if (!customer_id) return { customer: null, earlier_orders: 0, account: null }
    const [row] = await this.deps_.manager.query(
      `SELECT c.id, c.email, c.has_account, c.created_at,
              ARRAY(SELECT cgc.customer_group_id FROM customer_group_customers cgc
                      JOIN customer_group g ON g.id = cgc.customer_group_id AND g.deleted_at IS NULL
                     WHERE cgc.customer_id = c.id) AS group_ids,
              (SELECT count(*) FROM "order" o WHERE o.customer_id = c.id AND o.status <> 'canceled')::int AS earlier_orders,
              a.id AS a_id, a.points_balance, a.points_lifetime::float8 AS points_lifetime, a.tier, a.tier_below_since
         FROM customer c LEFT JOIN loyalty_account a ON a.customer_id = c.id
        WHERE c.id = $1 AND c.deleted_at IS NULL`,
      [customer_id]
    )
    if (!row?.has_account) return { customer: null, earlier_orders: 0, account: null }
    const account = row.a_id ? { points_balance: row.points_balance, points_lifetime: Number(row.points_lifetime), tier: row.tier, tier_below_since: row.tier_below_since } : null
    const needs = account && previewNeedsMemberFacts(this.deps_.loyaltyRulesService.getRulebook())
    return {
      customer: { id: row.id, email: row.email, has_account: true, created_at: row.created_at, group_ids: row.group_ids },
      earlier_orders: row.earlier_orders,
      account,
      member_facts: needs ? await this.deps_.loyaltyTierService.memberFacts(customer_id, now) : undefined,
    }
  }
}

/** The order a cart becomes, as far as its facts go: the cart's totals and items, its region's currency, placed at `now`. */
function orderOfCart(cart: Cart, currency_code: string, now: Date): Order {
  return { ...cart, currency_code, created_at: now } as unknown as Order
}
