import { LessThan, Not } from "typeorm"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, startStore } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"

/**
 * The accrual reads an order in a few queries of its own (a member query, the order with the relations the facts
 * use, Medusa's decorateTotals): its facts must be exactly the ones Medusa's retrieveWithTotals gives. Reference:
 * retrieveWithTotals with the fact relations and the customer's groups, the earlier-order count through TypeORM,
 * as the accrual read them before. Orders with discounts of every kind, a gift card, tax, several items with tags,
 * type and collection, a deleted product, groups (one deleted), an earlier canceled order, a guest.
 * Medusa's event enqueuer is held: no accrual changes the accounts between the two readings.
 */
describe("accrual facts of a stored order", () => {
  let store: Store
  let admin: Admin
  const orders: { label: string; id: string }[] = []
  const groups: { vip: string; deleted: string } = { vip: "", deleted: "" }
  const members: string[] = []

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    await store.container.resolve("eventBusService").stopEnqueuer()
    admin = await createAdmin(store)
    const region = await createRegion(admin)
    const taxed = await createRegion(admin, { countries: ["ca"] })
    expectOk(await admin.api.post(`/admin/regions/${taxed.id}`, { tax_rate: 13 }), "POST /admin/regions/:id")
    const shirt = await createProduct(admin, { title: "Shirt", price: 12345, tags: ["apparel", "cotton"], type: "tops", collection: "Summer" })
    const mug = await createProduct(admin, { title: "Mug", price: 2999 })
    const ghost = await createProduct(admin, { title: "Ghost", price: 1500, tags: ["gone"] })
    const discount = async (code: string, rule: Record<string, unknown>, regions = [region.id]) =>
      expectOk(await admin.api.post("/admin/discounts", { code, regions, rule }), `POST /admin/discounts ${code}`)
    await discount("TENOFF", { type: "percentage", value: 10, allocation: "total" })
    await discount("FIVEOFF", { type: "fixed", value: 500, allocation: "total" })
    await discount("ITEMOFF", { type: "fixed", value: 300, allocation: "item" })
    await discount("SHIPFREE", { type: "free_shipping", value: 0, allocation: "total" })
    await discount("TAXEDTEN", { type: "percentage", value: 10, allocation: "total" }, [taxed.id])
    const { gift_card } = expectOk(await admin.api.post("/admin/gift-cards", { region_id: region.id, value: 2000 }), "POST /admin/gift-cards")

    const ann = await createCustomer(store)
    const ben = await createCustomer(store)
    const group = async (name: string, customer: Customer) => {
      const { customer_group } = expectOk(await admin.api.post("/admin/customer-groups", { name }), "POST /admin/customer-groups")
      expectOk(
        await admin.api.post(`/admin/customer-groups/${customer_group.id}/customers/batch`, { customer_ids: [{ id: customer.id }] }),
        "POST /admin/customer-groups/:id/customers/batch"
      )
      return customer_group.id as string
    }
    groups.vip = await group(`vip-${ann.id}`, ann)
    groups.deleted = await group(`gone-${ann.id}`, ann)
    expectOk(await admin.api.del(`/admin/customer-groups/${groups.deleted}`), "DELETE /admin/customer-groups/:id")
    // Ann has an account with figures (the others have none: their customer.created is held).
    const manager = store.container.resolve("manager")
    await manager.transaction((m: unknown) =>
      store.container.resolve("loyaltyLedgerService").withTransaction(m).post({
        customer_id: ann.id, kind: "adjustment", points: 321, idempotency_key: `facts-test:${ann.id}`, reason: "test",
      })
    )

    members.push(ann.id, ben.id)
    const place = async (label: string, o: Parameters<typeof placeOrder>[1]) => orders.push({ label, id: (await placeOrder(store, o)).id })
    const canceled = await placeOrder(store, { token: ben, region, items: [{ variant_id: mug, quantity: 1 }] })
    expectOk(await admin.api.post(`/admin/orders/${canceled.id}/cancel`), "POST /admin/orders/:id/cancel")
    await place("several items with tags, type and collection", { token: ann, region, items: [{ variant_id: shirt, quantity: 2 }, { variant_id: mug, quantity: 1 }] })
    await place("percentage discount", { token: ann, region, items: [{ variant_id: shirt, quantity: 1 }, { variant_id: mug, quantity: 3 }], discountCode: "TENOFF" })
    await place("fixed discount on the total", { token: ben, region, items: [{ variant_id: mug, quantity: 3 }], discountCode: "FIVEOFF" })
    await place("fixed discount per item", { token: ben, region, items: [{ variant_id: mug, quantity: 2 }, { variant_id: shirt, quantity: 1 }], discountCode: "ITEMOFF" })
    await place("free shipping", { token: ann, region, items: [{ variant_id: mug, quantity: 1 }], discountCode: "SHIPFREE" })
    await place("gift card", { token: ben, region, items: [{ variant_id: shirt, quantity: 1 }], giftCardCode: gift_card.code })
    await place("tax", { token: ann, region: taxed, items: [{ variant_id: shirt, quantity: 1 }, { variant_id: mug, quantity: 2 }] })
    await place("tax and a discount", { token: ben, region: taxed, items: [{ variant_id: shirt, quantity: 2 }], discountCode: "TAXEDTEN" })
    await place("a product deleted since", { token: ann, region, items: [{ variant_id: ghost, quantity: 2 }] })
    await place("guest", { region, items: [{ variant_id: mug, quantity: 1 }] })
    const { product } = expectOk(await admin.api.get(`/admin/variants/${ghost}`), "GET /admin/variants/:id").variant
    expectOk(await admin.api.del(`/admin/products/${product.id}`), "DELETE /admin/products/:id")
  })

  afterAll(async () => {
    await store?.stop()
  })

  /** The facts as the accrual built them with retrieveWithTotals (before it loaded the order itself). */
  async function reference(order_id: string) {
    const { Order } = require("@medusajs/medusa")
    const { orderFacts } = require("../../dist/utils/medusa-facts")
    const order = await store.container.resolve("orderService").retrieveWithTotals(order_id, {
      relations: ["customer", "customer.groups", "items.variant.product", "items.variant.product.type", "items.variant.product.tags"],
    })
    const account = await store.container.resolve("loyaltyLedgerService").findAccount(order.customer_id)
    const orders_count = await store.container.resolve("manager").getRepository(Order).count({
      where: { customer_id: order.customer_id, created_at: LessThan(order.created_at), status: Not("canceled"), id: Not(order.id) },
    })
    return {
      order: orderFacts(order),
      customer: {
        id: order.customer.id,
        email: order.customer.email,
        group_ids: order.customer.groups.map((g: { id: string }) => g.id),
        created_at: new Date(order.customer.created_at).toISOString(),
        orders_count,
        points_balance: account?.points_balance ?? 0,
        points_lifetime: account?.points_lifetime ?? 0,
        tier: account?.tier ?? null,
      },
    }
  }

  // Row order of relations is not specified by either reading: compare items and groups as sets.
  const normalized = (facts: any) => ({
    order: { ...facts.order, items: [...facts.order.items].sort((a: any, b: any) => a.id.localeCompare(b.id)) },
    customer: { ...facts.customer, group_ids: [...facts.customer.group_ids].sort() },
  })

  it("are exactly the facts Medusa's retrieveWithTotals gives, for every kind of order", async () => {
    expect(orders).toHaveLength(10)
    const accrual = store.container.resolve("loyaltyAccrualService")
    for (const { label, id } of orders) {
      const { facts } = await accrual.buildFacts(id)
      expect({ label, facts: normalized(facts) }).toEqual({ label, facts: normalized(await reference(id)) })
    }
    // The cases do cover what they claim (totals other than the subtotal, groups, an earlier order, an account).
    const all = await Promise.all(orders.map(async (o) => ({ ...o, facts: (await accrual.buildFacts(o.id)).facts })))
    const by = (label: string) => all.find((o) => o.label === label)!.facts
    expect(by("percentage discount").order.discount_total).toBeGreaterThan(0)
    expect(by("fixed discount per item").order.discount_total).toBeGreaterThan(0)
    expect(by("free shipping").order.shipping_total).toBe(0)
    expect(by("gift card").order.gift_card_total).toBe(2000)
    expect(by("tax and a discount").order.tax_total).toBeGreaterThan(0)
    expect(by("several items with tags, type and collection").order.items.find((i: any) => i.tags.length)).toMatchObject({
      tags: expect.arrayContaining(["apparel", "cotton"]), type: "tops", collection_id: expect.stringMatching(/^pcol_/),
    })
    expect(by("a product deleted since").order.items[0]).toMatchObject({ tags: ["gone"], product_id: expect.stringMatching(/^prod_/) })
    const ann = by("several items with tags, type and collection").customer
    expect(ann.points_balance).toBe(321)
    expect(ann.group_ids).toContain(groups.vip)
    expect(ann.group_ids).not.toContain(groups.deleted)
    expect(by("fixed discount on the total").customer.orders_count).toBe(0) // the earlier order was canceled
    expect(by("gift card").customer.orders_count).toBe(2)
  })

  it("reads, for the balance page in one query, the member facts and next expiry the tier and expiry services give", async () => {
    const c = store.container
    expect(await c.resolve("loyaltyMemberService").summary(members[1], new Date())).toBeNull() // Ben's customer.created is held
    await c.resolve("manager").transaction((m: unknown) => c.resolve("loyaltyLedgerService").withTransaction(m).ensureAccount(members[1]))
    const now = new Date()
    for (const customer_id of members) {
      const summary = await c.resolve("loyaltyMemberService").summary(customer_id, now)
      expect(summary?.member).toEqual(await c.resolve("loyaltyTierService").memberFacts(customer_id, now))
      expect(summary?.next_expiry).toEqual(await c.resolve("loyaltyExpiryService").nextExpiryFor(customer_id, now))
      expect(summary?.account).toMatchObject(await c.resolve("loyaltyLedgerService").findAccount(customer_id))
    }
    const ann = await c.resolve("loyaltyMemberService").summary(members[0], now)
    expect(ann.member.group_ids).toContain(groups.vip)
    expect(ann.next_expiry).toMatchObject({ points: 321 })
  })

  it("answers Medusa's not-found error for an unknown order", async () => {
    await expect(store.container.resolve("loyaltyAccrualService").buildFacts("order_missing")).rejects.toMatchObject({
      type: "not_found",
      message: "Order with id order_missing was not found",
    })
  })
})
