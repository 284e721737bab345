import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { claimCartRedemptions } from "../../src/workflows/redemption/checkout"
import { expireRedemptions } from "../../src/workflows/redemption/expire"
import { settleUsedRedemptions } from "../../src/workflows/redemption/settle"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

const DAY_MS = 24 * 60 * 60 * 1000
const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await run()
  } finally {
    timings[name] = Date.now() - start
  }
}

type Who = { headers: Record<string, string> }

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const knex = () => getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
    const query = () => getContainer().resolve<any>(ContainerRegistrationKeys.QUERY)
    const fail = (e: any) => e.response ?? Promise.reject(e)

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer(), [100]))
    })

    afterAll(() => {
      // eslint-disable-next-line no-console
      console.log(`v2 redemption timings (ms): ${JSON.stringify(timings)}`)
    })

    /** A registered member with `points` (an admin adjustment). */
    async function member(email: string, points: number) {
      const customer = await store.registerCustomer(email)
      await waitFor("the account", () => loyalty().findAccount(customer.id))
      if (points) {
        const h = { headers: { ...store.admin.headers, "idempotency-key": `seed-${customer.id}` } }
        await api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points, reason: "seed" }, h)
      }
      return customer
    }

    const redeem = (who: Who, body: Record<string, unknown>, key?: string) =>
      api.post("/store/customers/me/loyalty/redemptions", body, { headers: { ...who.headers, ...(key ? { "idempotency-key": key } : {}) } })

    /** A cart of one 100.00 item with shipping and a payment session, `codes` applied; returns what the cart shows. */
    async function readyCart(who: Who, codes: string[] = [], email?: string) {
      const h = { headers: who.headers }
      const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc, ...(email ? { email } : {}) }, h)
      await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, h)
      await api.post(
        `/store/carts/${cart.id}`,
        { shipping_address: { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" } },
        h
      )
      const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${cart.id}`, h)
      await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id }, h)
      let applied = { codes: [] as string[], discount: 0 }
      if (codes.length) {
        const { data } = await api.post(`/store/carts/${cart.id}/promotions`, { promo_codes: codes }, h)
        applied = { codes: (data.cart.promotions ?? []).map((p: { code: string }) => p.code), discount: Number(data.cart.discount_total) }
      }
      await payFor(who, cart.id)
      return { id: cart.id as string, ...applied }
    }

    async function payFor(who: Who, cart_id: string) {
      const h = { headers: who.headers }
      const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id }, h)
      await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
    }

    const complete = async (who: Who, cart_id: string) => (await api.post(`/store/carts/${cart_id}/complete`, {}, { headers: who.headers })).data

    const orderOf = async (order_id: string) => {
      const { data } = await query().graph({ entity: "order", fields: ["id", "total", "discount_total", "customer_id"], filters: { id: order_id } })
      return { id: data[0].id as string, total: Number(data[0].total), discount_total: Number(data[0].discount_total) }
    }

    const mine = async (who: Who) => (await api.get("/store/customers/me/loyalty/redemptions", { headers: who.headers })).data

    async function expectLedgerClean() {
      const { data } = await api.get("/admin/loyalty/verify", store.admin)
      expect(data).toMatchObject({ ok: true, problems: [] })
    }

    it("redeems points into a personal single-use code that takes its value off the member's order, debits the ledger once per Idempotency-Key, and lists the code as settled once the order is placed", async () => {
      const alice = await member("alice@redeem.test", 1000)
      const { status, data: first } = await timed("redeem", () => redeem(alice, { points: 500, region_id: store.region.id }, "r-1"))
      expect(status).toBe(201)
      expect(first.redemption).toMatchObject({ points: 500, amount: 500, currency_code: "eur", status: "reserved", order_id: null })
      expect(first.redemption.discount_code).toMatch(/^LOYAL-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
      const code = first.redemption.discount_code

      // The v2 promotion: active, single use, the member's only, 5.00 EUR off the order.
      const [promotion] = await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({ code }, { relations: ["rules", "rules.values", "application_method"] })
      expect([promotion.status, promotion.limit, promotion.application_method.type, Number(promotion.application_method.value), promotion.application_method.currency_code]).toEqual(["active", 1, "fixed", 5, "eur"])
      expect(promotion.rules.map((r: any) => [r.attribute, r.operator, r.values.map((v: any) => v.value)])).toEqual([["customer.id", "eq", [alice.id]]])

      // Idempotency-Key as v1: the same key and body replay (200, same code, one debit); another body is a 422.
      const replay = await redeem(alice, { points: 500, region_id: store.region.id }, "r-1")
      expect([replay.status, replay.data.redemption.id]).toEqual([200, first.redemption.id])
      const conflict = await redeem(alice, { points: 600, region_id: store.region.id }, "r-1").catch(fail)
      expect([conflict.status, conflict.data.code]).toEqual([422, "IDEMPOTENCY_CONFLICT"])
      const noKey = await redeem(alice, { points: 500, region_id: store.region.id }).catch(fail)
      expect([noKey.status, noKey.data.code]).toEqual([400, "INVALID_INPUT"])
      const tooMuch = await redeem(alice, { points: 600, region_id: store.region.id }, "r-2").catch(fail)
      expect([tooMuch.status, tooMuch.data.code]).toEqual([400, "INSUFFICIENT_POINTS"])
      const badStep = await redeem(alice, { points: 550, region_id: store.region.id }, "r-3").catch(fail)
      expect([badStep.status, badStep.data.code]).toEqual([400, "INVALID_INPUT"])
      // Refusals created no promotion and wrote nothing.
      expect(await loyalty().findRedemptions({ customer_id: alice.id })).toHaveLength(1)

      const debit = await loyalty().findEntryByKey(`redemption:${alice.id}:r-1`)
      expect([debit.kind, debit.points, debit.balance_after, debit.source_id]).toEqual(["redemption", -500, 500, first.redemption.id])
      const account = await loyalty().findAccount(alice.id)
      expect([account.points_balance, account.points_lifetime]).toEqual([500, 1000]) // redemptions never lower lifetime points

      const cart = await readyCart(alice, [code])
      expect([cart.codes, cart.discount]).toEqual([[code], 5])
      const completed = await timed("complete with the code", () => complete(alice, cart.id))
      expect(completed.type).toBe("order")
      expect(await orderOf(completed.order.id)).toMatchObject({ discount_total: 5, total: 105 }) // 100 + 10 shipping − 5

      await waitFor("the settlement", async () => (await mine(alice)).redemptions[0]?.status === "settled")
      const { redemptions, count } = await mine(alice)
      expect(count).toBe(1)
      expect(redemptions[0]).toMatchObject({ id: first.redemption.id, discount_code: code, status: "settled", order_id: completed.order.id })
      // Another member sees none of it.
      const bob = await member("bob@redeem.test", 0)
      expect((await mine(bob)).redemptions).toEqual([])
      await expectLedgerClean()
    })

    it("lets exactly one of five carts completing at the same moment with one code carry its discount: the other four are refused with REDEMPTION_ALREADY_USED and complete without it once the code is removed", async () => {
      const carol = await member("carol@redeem.test", 500)
      const { data } = await redeem(carol, { points: 500, region_id: store.region.id }, "c-1")
      const code = data.redemption.discount_code
      const carts = await timed("5 carts with the code", async () => {
        const out = []
        for (let i = 0; i < 5; i++) out.push(await readyCart(carol, [code]))
        return out
      })
      expect(carts.map((c) => c.discount)).toEqual([5, 5, 5, 5, 5])
      const results = await timed("5 concurrent completions", () => Promise.allSettled(carts.map((c) => complete(carol, c.id))))
      const orders = results.filter((r) => r.status === "fulfilled" && (r as PromiseFulfilledResult<any>).value.type === "order")
      const refused = results.filter((r) => r.status === "rejected").map((r: any) => [r.reason.response?.status, r.reason.response?.data?.code])
      expect(orders).toHaveLength(1)
      expect(refused).toEqual(Array(4).fill([400, "REDEMPTION_ALREADY_USED"]))
      const winner = (orders[0] as PromiseFulfilledResult<any>).value.order
      expect(await orderOf(winner.id)).toMatchObject({ discount_total: 5, total: 105 })
      const message = (results.find((r) => r.status === "rejected") as any).reason.response.data.message
      expect(message).toMatch(/already been used for another order/)

      // A refused shopper removes the code and completes at full price.
      const loser = carts[results.findIndex((r) => r.status === "rejected")]
      await api.delete(`/store/carts/${loser.id}/promotions`, { headers: carol.headers, data: { promo_codes: [code] } })
      await payFor(carol, loser.id)
      const retried = await complete(carol, loser.id)
      expect(retried.type).toBe("order")
      expect(await orderOf(retried.order.id)).toMatchObject({ discount_total: 0, total: 110 })

      // One use row, one promotion use, one settled redemption.
      const { rows } = await knex().raw(`SELECT count(*)::int AS n FROM loyalty_redemption_use WHERE code = ?`, [code])
      expect(rows[0].n).toBe(1)
      const [promotion] = await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({ code })
      expect(Number(promotion.used)).toBe(1)
      await waitFor("the settlement", async () => (await mine(carol)).redemptions[0]?.status === "settled")
      expect((await mine(carol)).redemptions[0].order_id).toBe(winner.id)
      await expectLedgerClean()
    })

    it("pays for only the first of three carts the code was applied to beforehand; the later two are refused at completion", async () => {
      const dan = await member("dan@redeem.test", 500)
      const { data } = await redeem(dan, { points: 500, region_id: store.region.id }, "d-1")
      const code = data.redemption.discount_code
      const carts = [await readyCart(dan, [code]), await readyCart(dan, [code]), await readyCart(dan, [code])]
      expect(carts.map((c) => c.codes)).toEqual([[code], [code], [code]])
      const first = await complete(dan, carts[0].id)
      expect(await orderOf(first.order.id)).toMatchObject({ discount_total: 5 })
      for (const cart of carts.slice(1)) {
        const refused = await complete(dan, cart.id).catch(fail)
        expect([refused.status, refused.data.code]).toEqual([400, "REDEMPTION_ALREADY_USED"])
      }
      // A retried completion of the cart that won answers its order again (not a refusal).
      const again = await complete(dan, carts[0].id)
      expect([again.type, again.order.id]).toEqual(["order", first.order.id])
      const { data: orders } = await query().graph({ entity: "order", fields: ["id", "discount_total"], filters: { customer_id: dan.id } })
      expect(orders.filter((o: any) => Number(o.discount_total) > 0).map((o: any) => o.id)).toEqual([first.order.id])
      await waitFor("the settlement", async () => (await mine(dan)).redemptions[0]?.status === "settled")
      await expectLedgerClean()
    })

    it("answers five concurrent redemptions under one Idempotency-Key with one code, one debit and no stray promotion", async () => {
      const ivy = await member("ivy@redeem.test", 1000)
      const results = await timed("5 concurrent redeems, one key", () =>
        Promise.all(Array.from({ length: 5 }, () => redeem(ivy, { points: 500, region_id: store.region.id }, "i-1"))))
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201])
      expect(new Set(results.map((r) => r.data.redemption.discount_code)).size).toBe(1)
      const debits = await loyalty().listLoyaltyLedgerEntries({ customer_id: ivy.id, kind: "redemption" })
      expect(debits.map((e: any) => e.points)).toEqual([-500])
      expect((await loyalty().findAccount(ivy.id)).points_balance).toBe(500)
      // The losers' promotions were deleted: the member holds exactly one live loyalty code.
      const promotions = await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({}, { relations: ["rules", "rules.values"], take: null })
      const ivys = promotions.filter((p: any) => p.code.startsWith("LOYAL-") && p.rules.some((r: any) => r.values.some((v: any) => v.value === ivy.id)))
      expect(ivys.map((p: any) => [p.code, p.status])).toEqual([[results[0].data.redemption.discount_code, "active"]])
      await expectLedgerClean()
    })

    it("releases the code when the completion that claimed it fails after the claim, keeps it blocked while a crashed checkout holds it, and lets reconcile release that stale claim", async () => {
      const jack = await member("jack@redeem.test", 1000)
      const { data } = await redeem(jack, { points: 500, region_id: store.region.id }, "j-1")
      const code = data.redemption.discount_code
      const promotion_id = (await loyalty().findRedemptions({ code }))[0].promotion_id
      const cart = await readyCart(jack, [code])
      // v2's own usage check (after our claim, in the same workflow) fails: the workflow's compensation releases the claim.
      await knex().raw(`UPDATE promotion SET used = 1 WHERE id = ?`, [promotion_id])
      const failed = await complete(jack, cart.id).catch(fail)
      expect(failed.status).toBe(400)
      expect(failed.data.message).toMatch(/usage exceeds the limit/i)
      const uses = async () => (await knex().raw(`SELECT cart_id FROM loyalty_redemption_use WHERE code = ?`, [code])).rows
      expect(await uses()).toEqual([])
      await knex().raw(`UPDATE promotion SET used = 0 WHERE id = ?`, [promotion_id])
      const order = await complete(jack, cart.id)
      expect(await orderOf(order.order.id)).toMatchObject({ discount_total: 5 })

      // A checkout that crashed after its claim (no compensation ran) keeps the code: no other cart can use it.
      const { data: second } = await redeem(jack, { points: 500, region_id: store.region.id }, "j-2")
      const other = (await loyalty().findRedemptions({ code: second.redemption.discount_code }))[0]
      await claimCartRedemptions(getContainer(), { id: "cart_crashed", customer_id: jack.id, promotions: [{ id: other.promotion_id }] })
      const next = await readyCart(jack, [other.code])
      const refused = await complete(jack, next.id).catch(fail)
      expect([refused.status, refused.data.code]).toEqual([400, "REDEMPTION_ALREADY_USED"])
      expect(await expireRedemptions(getContainer(), new Date(Date.now() + DAY_MS))).toMatchObject({ examined: 0 })
      // Reconcile releases the crashed checkout's claim once it is stale (an hour, no order for its cart)...
      expect(await settleUsedRedemptions(getContainer(), new Date(Date.now() + 60_000))).toMatchObject({ released: 0 })
      expect(await settleUsedRedemptions(getContainer(), new Date(Date.now() + 2 * 60 * 60 * 1000))).toMatchObject({ released: 1, settled: 0 })
      // ...and the member's next cart uses the code.
      const used = await complete(jack, next.id)
      expect(await orderOf(used.order.id)).toMatchObject({ discount_total: 5 })
      // order.placed settles the codes after the completion answered: verify only once it has.
      await waitFor("both codes settled", async () => (await mine(jack)).redemptions.every((r: any) => r.status === "settled"))
      await expectLedgerClean()
    })

    it("keeps a member's code off a guest's cart and off another member's cart, and refuses it at completion for any cart that is not the member's", async () => {
      const erin = await member("erin@redeem.test", 500)
      const { data } = await redeem(erin, { points: 500, region_id: store.region.id }, "e-1")
      const code = data.redemption.discount_code
      const guest = { headers: store.pk }
      for (const [method, path] of [["get", "/store/customers/me/loyalty/redemptions"], ["post", "/store/customers/me/loyalty/redemptions"], ["get", "/store/customers/me/loyalty/promotions"], ["post", "/admin/loyalty/jobs/redemptions/expire"], ["post", "/admin/loyalty/jobs/redemptions/settle"]]) {
        const res = await (method === "get" ? api.get(path, guest) : api.post(path, {}, guest)).catch(fail)
        expect([path, res.status]).toEqual([path, 401])
      }
      const guestCart = await readyCart(guest, [code], "guest@redeem.test")
      expect([guestCart.codes, guestCart.discount]).toEqual([[], 0])
      const guestOrder = await complete(guest, guestCart.id)
      expect(await orderOf(guestOrder.order.id)).toMatchObject({ discount_total: 0, total: 110 })
      const frank = await member("frank@redeem.test", 0)
      const frankCart = await readyCart(frank, [code])
      expect([frankCart.codes, frankCart.discount]).toEqual([[], 0])
      // The checkout guard itself, for a cart that holds the code though its customer is not the member (a guest or another customer).
      const promotion_id = (await loyalty().findRedemptions({ code }))[0].promotion_id
      for (const customer_id of [null, frank.id]) {
        const refusal = await claimCartRedemptions(getContainer(), { id: frankCart.id, customer_id, promotions: [{ id: promotion_id }] }).catch((e: any) => e)
        expect([refusal.type, refusal.code]).toEqual(["not_allowed", "REDEMPTION_NOT_YOURS"])
      }
      // Still the member's, unused.
      expect((await mine(erin)).redemptions[0]).toMatchObject({ status: "reserved", order_id: null })
      const erinCart = await readyCart(erin, [code])
      expect(erinCart.discount).toBe(5)
      // Redeemed for a cart (v1's cart_id): the new code is applied to that cart of mine; someone else's cart is a 404.
      await api.post(`/admin/loyalty/accounts/${erin.id}/adjustments`, { points: 500, reason: "more" }, { headers: { ...store.admin.headers, "idempotency-key": "erin-more" } })
      const notMine = await redeem(erin, { points: 500, cart_id: frankCart.id }, "e-3").catch(fail)
      expect([notMine.status, notMine.data.code]).toEqual([404, "NOT_FOUND"])
      const fresh = await readyCart(erin)
      const { status, data: forCart } = await redeem(erin, { points: 500, cart_id: fresh.id }, "e-2")
      expect([status, forCart.redemption.cart_id]).toEqual([201, fresh.id])
      const { data: { cart } } = await api.get(`/store/carts/${fresh.id}`, { headers: erin.headers })
      expect([cart.promotions.map((p: { code: string }) => p.code), Number(cart.discount_total)]).toEqual([[forCart.redemption.discount_code], 5])
      await expectLedgerClean()
    })

    it("gives the points of an expired unused code back exactly once, and the code no longer applies", async () => {
      const gina = await member("gina@redeem.test", 800)
      const { data } = await redeem(gina, { points: 500, region_id: store.region.id }, "g-1")
      const { id, discount_code: code } = data.redemption
      expect((await loyalty().findAccount(gina.id)).points_balance).toBe(300)
      // Not expired yet by the server clock: the admin route examines nothing.
      const { data: now } = await api.post("/admin/loyalty/jobs/redemptions/expire", {}, store.admin)
      expect(now.redemptions).toMatchObject({ examined: 0, voided: 0 })
      const later = new Date(Date.now() + 31 * DAY_MS)
      expect(await expireRedemptions(getContainer(), later)).toMatchObject({ examined: 1, voided: 1, failed: 0 })
      expect(await expireRedemptions(getContainer(), later)).toMatchObject({ examined: 0, voided: 0 })
      const voids = await loyalty().listLoyaltyLedgerEntries({ customer_id: gina.id, kind: "redemption_void" })
      expect(voids.map((e: any) => [e.points, e.idempotency_key, e.balance_after])).toEqual([[500, `redemption_void:${id}`, 800]])
      expect((await mine(gina)).redemptions[0]).toMatchObject({ status: "voided" })
      const [promotion] = await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({ code })
      expect(promotion.status).toBe("inactive")
      const cart = await readyCart(gina, [code])
      expect([cart.codes, cart.discount]).toEqual([[], 0])
      // A cart that still holds it is refused as expired (the guard, whatever v2 kept on the cart).
      const refusal = await claimCartRedemptions(getContainer(), { id: cart.id, customer_id: gina.id, promotions: [{ id: promotion.id }] }).catch((e: any) => e)
      expect(refusal.code).toBe("REDEMPTION_EXPIRED")
      await expectLedgerClean()
    })

    it("settles, by reconcile, codes used by orders whose order.placed was lost — with or without the checkout's use row — idempotently", async () => {
      const hank = await member("hank@redeem.test", 1000)
      const codes: string[] = []
      const orders: string[] = []
      for (const key of ["h-1", "h-2"]) {
        const { data } = await redeem(hank, { points: 500, region_id: store.region.id }, key)
        const cart = await readyCart(hank, [data.redemption.discount_code])
        orders.push((await complete(hank, cart.id)).order.id)
        codes.push(data.redemption.discount_code)
      }
      await waitFor("both settled", async () => (await mine(hank)).redemptions.every((r: any) => r.status === "settled"))
      // The lost event: both back to reserved; the first keeps its use row (no order on it), the second loses it.
      await knex().raw(`UPDATE loyalty_redemption SET status = 'reserved', order_id = NULL, settled_at = NULL WHERE code = ANY(?)`, [codes])
      await knex().raw(`UPDATE loyalty_redemption_use SET order_id = NULL WHERE code = ?`, [codes[0]])
      await knex().raw(`DELETE FROM loyalty_redemption_use WHERE code = ?`, [codes[1]])
      // Verify sees the used codes left reserved (v1's redemption_unsettled)...
      const { data: drift } = await api.get("/admin/loyalty/verify", store.admin)
      expect(drift.ok).toBe(false)
      expect(drift.problems.map((p: any) => p.check)).toEqual(["redemption_unsettled", "redemption_unsettled"])
      // ...and the reconcile job settles them (its route; the settle-only route is the same sweep).
      const { data: run } = await api.post("/admin/loyalty/jobs/reconcile", {}, store.admin)
      expect(run.reconcile).toMatchObject({ redemptions_settled: 2, failures: [] })
      const settled = await loyalty().findRedemptions({ codes })
      expect(codes.map((c) => settled.find((r: any) => r.code === c)).map((r: any) => [r.status, r.order_id])).toEqual([
        ["settled", orders[0]],
        ["settled", orders[1]],
      ])
      expect(await settleUsedRedemptions(getContainer())).toEqual({ examined: 0, settled: 0, released: 0, failed: 0 })
      const { rows } = await knex().raw(`SELECT code, order_id FROM loyalty_redemption_use WHERE code = ANY(?) ORDER BY code`, [codes])
      expect(rows.map((r: any) => r.order_id).sort()).toEqual([...orders].sort())
      // Settlement moves no points: the two debits are the code's only entries, nothing voided.
      const moves = await loyalty().listLoyaltyLedgerEntries({ customer_id: hank.id, kind: ["redemption", "redemption_void"] })
      expect(moves.map((e: any) => [e.kind, e.points]).sort()).toEqual([["redemption", -500], ["redemption", -500]])
      await expectLedgerClean()
    })

    it("gives a Gold member's GOLD15 15 % off at checkout but not a Bronze member's, lists each member's usable codes, and stops applying GOLD15 once a correction demotes the member", async () => {
      const { data: reconciled } = await api.post("/admin/loyalty/promotions/reconcile", {}, store.admin)
      expect(reconciled.created).toEqual(["MEMBER5", "SILVER10", "GOLD15", "PLATINUM20"])
      const gold = await member("gold@redeem.test", 5000)
      expect((await loyalty().findAccount(gold.id)).tier).toBe("gold")
      const bronze = await member("bronze@redeem.test", 0)
      const codesOf = async (who: Who) =>
        (await api.get("/store/customers/me/loyalty/promotions", { headers: who.headers })).data.promotions.map((p: { code: string }) => p.code)
      expect(await codesOf(gold)).toEqual(["MEMBER5", "GOLD15"])
      expect(await codesOf(bronze)).toEqual(["MEMBER5"])

      const goldCart = await readyCart(gold, ["GOLD15"])
      expect([goldCart.codes, goldCart.discount]).toEqual([["GOLD15"], 15])
      const order = await complete(gold, goldCart.id)
      expect(await orderOf(order.order.id)).toMatchObject({ discount_total: 15, total: 95 })
      const bronzeCart = await readyCart(bronze, ["GOLD15"])
      expect([bronzeCart.codes, bronzeCart.discount]).toEqual([[], 0])

      // A correction (negative adjustment lowering lifetime points) demotes at once: GOLD15 no longer applies.
      const h = { headers: { ...store.admin.headers, "idempotency-key": "gold-correction" } }
      const { data } = await api.post(`/admin/loyalty/accounts/${gold.id}/adjustments`, { points: -1000, reason: "correction" }, h)
      expect(data.loyalty_account.tier).toEqual({ code: "silver", name: "Silver" })
      const demoted = await readyCart(gold, ["GOLD15"])
      expect([demoted.codes, demoted.discount]).toEqual([[], 0])
      expect(await codesOf(gold)).toEqual(["MEMBER5", "SILVER10"])
      await expectLedgerClean()
    })
  },
})
