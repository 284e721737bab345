import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { execFile } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { promisify } from "util"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { accrueOrderWorkflow, reverseOrderWorkflow } from "../../src/workflows/order-points/workflows"
import { syncTierGroupsStep } from "../../src/workflows/tiers/workflows"
import { createStep, createWorkflow, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { createStore, waitFor } from "./store"

jest.setTimeout(300_000)

// The shared parity table (also placed on Medusa v1 by the root's tests/integration/default-program-parity.test.ts).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { parityTable, parityRow } = require("../../../tests/helpers/default-program-parity")
const fixtures: { shipping: number; orders: Array<{ name: string; items: Array<{ price: number; quantity: number }>; points: number }> } = parityTable()

const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await run()
  } finally {
    timings[name] = Date.now() - start
  }
}

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const entryByKey = (key: string) => loyalty().findEntryByKey(key)
    const entriesOfOrder = async (order_id: string) => loyalty().listLoyaltyLedgerEntries({ order_id }, { order: { seq: "ASC" } })

    const query = () => getContainer().resolve<any>(ContainerRegistrationKeys.QUERY)
    const groupNamesOf = async (customer_id: string): Promise<string[]> => {
      const { data } = await query().graph({ entity: "customer", fields: ["id", "groups.name"], filters: { id: customer_id } })
      return (data[0]?.groups ?? []).map((g: { name: string }) => g.name).sort()
    }
    const groupIdsByName = async (): Promise<Record<string, string>> => {
      const groups = await getContainer().resolve<any>(Modules.CUSTOMER).listCustomerGroups({}, { take: null })
      return Object.fromEntries(groups.map((g: { id: string; name: string }) => [g.name, g.id]))
    }

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer(), [...new Set([100, 19.99, 0.99, ...fixtures.orders.flatMap((o) => o.items.map((i) => i.price))])]))
    })

    afterAll(() => {
      // eslint-disable-next-line no-console
      console.log(`v2 loyalty timings (ms): ${JSON.stringify(timings)}; rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`)
    })

    it("answers 401 on every loyalty route without authentication", async () => {
      const routes: Array<[string, string]> = [
        ["get", "/store/customers/me/loyalty"],
        ["get", "/store/customers/me/loyalty/entries"],
        ["get", "/admin/loyalty/accounts"],
        ["get", "/admin/loyalty/accounts/cus_x"],
        ["get", "/admin/loyalty/accounts/cus_x/entries"],
        ["post", "/admin/loyalty/accounts/cus_x/adjustments"],
        ["get", "/admin/loyalty/verify"],
        ["get", "/admin/loyalty/tiers"],
        ["get", "/admin/loyalty/promotions"],
        ["post", "/admin/loyalty/promotions/reconcile"],
        ["get", "/admin/loyalty/rules"],
        ["post", "/admin/loyalty/rules/validate"],
        ["post", "/admin/loyalty/rules/reload"],
        ["post", "/admin/loyalty/simulate"],
        ["get", "/admin/loyalty/entries/lent_x/explain"],
      ]
      for (const [method, path] of routes) {
        const headers = { headers: store.pk }
        const res = await (method === "get" ? api.get(path, headers) : api.post(path, {}, headers)).catch((e: any) => e.response)
        expect([path, res.status]).toEqual([path, 401])
      }
    })

    it("opens an account when a registered customer is created (customer.created, auto_enroll)", async () => {
      const customer = await store.registerCustomer("enrolled@loyalty.test")
      const account = await waitFor("the account", () => loyalty().findAccount(customer.id))
      expect(account).toMatchObject({ customer_id: customer.id, points_balance: 0, tier: "bronze" })
      const { data } = await api.get("/store/loyalty/tiers", { headers: store.pk })
      expect(data.tiers.map((t: { code: string }) => t.code)).toEqual(["bronze", "silver", "gold", "platinum"])
    })

    it("awards the parity table's points, rule names and tiers for the same orders placed over HTTP (the v1 figures)", async () => {
      const customer = await store.registerCustomer("parity@loyalty.test")
      let balance = 0
      for (const fixture of fixtures.orders) {
        const order = await timed(`order: ${fixture.name}`, () => store.placeOrder(customer, fixture.items))
        const entry = await waitFor(`accrual of ${order.id}`, () => entryByKey(`order:${order.id}:accrual`))
        balance += fixture.points
        const { data } = await api.get("/store/customers/me/loyalty", { headers: customer.headers })
        const { actual, expected } = parityRow(fixture, entry, data.loyalty_account.tier.code, balance)
        expect(actual).toEqual(expected)
      }
      const { data } = await api.get("/store/customers/me/loyalty", { headers: customer.headers })
      // Gold → the next tier is Platinum at 20,000 lifetime points (v1's shape and figures).
      expect(data.loyalty_account).toMatchObject({
        customer_id: customer.id,
        points_balance: balance,
        points_lifetime: balance,
        tier: { code: "gold", name: "Gold" },
        next_tier: { code: "platinum", name: "Platinum", threshold: 20000, points_needed: 20000 - balance },
      })
      const { data: mine } = await api.get("/store/customers/me/loyalty/entries?limit=100", { headers: customer.headers })
      expect(mine.entries.map((e: { points: number }) => e.points)).toEqual(fixtures.orders.map((f) => f.points).reverse())
      const first = mine.entries[mine.entries.length - 1]
      const explained = await api.get(`/admin/loyalty/entries/${first.id}/explain`, store.admin)
      expect(explained.data.rules_fired).toEqual([
        { name: "base-earn", type: "points_per_amount", contribution: 100 },
        { name: "first-order-bonus", type: "fixed_bonus", contribution: 100 },
      ])
      expect(explained.data.rulebook.files.map((f: { name: string }) => f.name)).toContain("accrual.json")
      const { data: admin } = await api.get(`/admin/loyalty/accounts/${customer.id}`, store.admin)
      expect(admin.loyalty_account.tier).toEqual({ code: "gold", name: "Gold" })
    })

    it("reads member facts as v1 does: orders, 365-day points and spend, and the tier lowered at once by a correction", async () => {
      const customer = await store.registerCustomer("facts@loyalty.test")
      const order = await store.placeOrder(customer, [{ price: 800, quantity: 1 }, { price: 100, quantity: 1 }])
      await waitFor("the accrual", () => entryByKey(`order:${order.id}:accrual`))
      const account = await loyalty().findAccount(customer.id)
      expect([account.points_lifetime, account.tier]).toEqual([1000, "silver"]) // 900 + 100 first-order bonus
      // group_ids: the member's customer groups, here their tier's (joined by the accrual workflow's last step).
      await waitFor("the Silver group", async () => (await groupNamesOf(customer.id)).join() === "Loyalty: Silver")
      const { memberFactsOf } = await import("../../src/workflows/members/member-facts")
      const facts = await memberFactsOf(getContainer(), account)
      expect(facts).toMatchObject({
        customer_id: customer.id, points_lifetime: 1000, points_balance: 1000, tier: "silver",
        orders_count: 1, points_last_365d: 1000, spend_last_365d_minor: 90000, group_ids: [(await groupIdsByName())["Loyalty: Silver"]],
      })
      // A negative adjustment lowers lifetime points below Silver: a correction, so no grace period (as v1).
      const headers = { headers: { ...store.admin.headers, "idempotency-key": "facts-correction" } }
      const { data } = await api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points: -1, reason: "correction" }, headers)
      expect([data.loyalty_account.points_lifetime, data.loyalty_account.tier]).toEqual([999, { code: "bronze", name: "Bronze" }])
      expect((await loyalty().findAccount(customer.id)).tier_below_since).toBeNull()
    })

    it("keeps a member in exactly their tier's customer group: Silver's once orders reach Silver, Bronze's again after a correction demotes them", async () => {
      const customer = await timed("tier groups: register", () => store.registerCustomer("groups@loyalty.test"))
      await waitFor("the Bronze group on enrolment", async () => (await groupNamesOf(customer.id)).join() === "Loyalty: Bronze")
      await timed("tier groups: order to silver", async () => {
        const order = await store.placeOrder(customer, [{ price: 800, quantity: 1 }, { price: 100, quantity: 1 }])
        await waitFor("the accrual", () => entryByKey(`order:${order.id}:accrual`))
        await waitFor("the Silver group only", async () => (await groupNamesOf(customer.id)).join() === "Loyalty: Silver")
      })
      const ids = await groupIdsByName()
      const { data: promoted } = await api.get("/admin/loyalty/tiers", store.admin)
      expect(promoted.tiers).toEqual([
        { code: "bronze", name: "Bronze", rank: 0, threshold: null, customer_group_id: ids["Loyalty: Bronze"], member_count: 0 },
        { code: "silver", name: "Silver", rank: 1, threshold: 1000, customer_group_id: ids["Loyalty: Silver"], member_count: 1 },
        { code: "gold", name: "Gold", rank: 2, threshold: 5000, customer_group_id: null, member_count: 0 },
        { code: "platinum", name: "Platinum", rank: 3, threshold: 20000, customer_group_id: null, member_count: 0 },
      ])
      // The groups are the plugin's, with the tier on them (v1's metadata).
      const [silver] = await getContainer().resolve<any>(Modules.CUSTOMER).listCustomerGroups({ id: ids["Loyalty: Silver"] })
      expect(silver.metadata).toEqual({ loyalty_tier: "silver" })

      // A correction (negative adjustment) takes lifetime points below Silver: demoted at once, groups moved back
      // by the adjustment workflow before the route answers.
      const headers = { headers: { ...store.admin.headers, "idempotency-key": "groups-correction" } }
      const { data } = await timed("tier groups: correction", () =>
        api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points: -1, reason: "correction" }, headers))
      expect(data.loyalty_account.tier).toEqual({ code: "bronze", name: "Bronze" })
      expect(await groupNamesOf(customer.id)).toEqual(["Loyalty: Bronze"])
      const { data: demoted } = await api.get("/admin/loyalty/tiers", store.admin)
      expect(demoted.tiers.map((t: { code: string; member_count: number }) => [t.code, t.member_count])).toEqual([["bronze", 1], ["silver", 0], ["gold", 0], ["platinum", 0]])

      // The tier history: one append-only row per change, with what triggered it.
      const history = await loyalty().tierHistory(customer.id)
      expect(history.map((h: any) => [h.from_tier, h.to_tier, h.reason.split(":")[0]])).toEqual([
        [null, "bronze", "enrolled"], ["bronze", "silver", "accrual"], ["silver", "bronze", "adjustment"],
      ])
      expect(history.every((h: any) => h.rulebook_version)).toBe(true)
      const knex = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      await expect(knex.raw(`UPDATE loyalty_tier_change SET to_tier = 'gold'`)).rejects.toThrow(/append-only/)
      await expect(knex.raw(`DELETE FROM loyalty_tier_change`)).rejects.toThrow(/append-only/)
    })

    it("puts a member back in their previous tier groups when a workflow fails after moving them (compensation)", async () => {
      const customer = await store.registerCustomer("rollback@loyalty.test")
      await waitFor("the Bronze group on enrolment", async () => (await groupNamesOf(customer.id)).join() === "Loyalty: Bronze")
      // A posting straight through the module (no workflow): the account is Silver, the groups still Bronze's.
      await loyalty().post({ customer_id: customer.id, kind: "adjustment", points: 1000, reason: "seed", idempotency_key: "rollback-seed" })
      expect((await loyalty().findAccount(customer.id)).tier).toBe("silver")
      const failing = createStep("loyalty-test-fail-after-groups", async () => {
        throw new Error("a later step failed")
      })
      const wf = createWorkflow("loyalty-test-groups-then-fail", (input: { customer_id: string }) => {
        const moved = syncTierGroupsStep(input)
        failing()
        return new WorkflowResponse(moved)
      })
      const { errors } = await wf(getContainer()).run({ input: { customer_id: customer.id }, throwOnError: false })
      expect(errors.map((e: any) => e.error?.message)).toEqual(["a later step failed"])
      expect(await groupNamesOf(customer.id)).toEqual(["Loyalty: Bronze"])
      // Without the failure the same step moves them: Silver's group only.
      const { syncTierGroupsWorkflow } = await import("../../src/workflows/tiers/workflows")
      const { result } = await syncTierGroupsWorkflow(getContainer()).run({ input: { customer_id: customer.id } })
      expect(result).toMatchObject({ tier: "silver", added: [(await groupIdsByName())["Loyalty: Silver"]], removed: [(await groupIdsByName())["Loyalty: Bronze"]] })
      expect(await groupNamesOf(customer.id)).toEqual(["Loyalty: Silver"])
    })

    it("reconciles promotions.json into v2 promotions restricted to each promotion's customer group (a member's cart takes their code, a non-member's does not), idempotently, never touching a promotion it did not create", async () => {
      const promotions = getContainer().resolve<any>(Modules.PROMOTION)
      // Someone else's promotion holds one of the files' codes.
      const { data: foreign } = await api.post("/admin/promotions", {
        code: "GOLD15", type: "standard", status: "active",
        application_method: { type: "percentage", target_type: "order", allocation: "across", value: 3 },
      }, store.admin)
      const customer = await store.registerCustomer("promo@loyalty.test")
      const adjust = (points: number, key: string) =>
        api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points, reason: "promo test" }, { headers: { ...store.admin.headers, "idempotency-key": key } })
      await adjust(1000, "promo-silver")

      const { data: first } = await timed("promotions: first reconcile", () => api.post("/admin/loyalty/promotions/reconcile", {}, store.admin))
      expect(first).toMatchObject({ created: ["MEMBER5", "SILVER10", "PLATINUM20"], updated: [], unchanged: [], disabled: [], pending: [], failed: [] })
      expect(first.conflicts.map((c: { code: string }) => c.code)).toEqual(["GOLD15"])
      const ids = await groupIdsByName()
      for (const [code, value] of [["MEMBER5", 5], ["SILVER10", 10], ["PLATINUM20", 20]] as const) {
        const [p] = await promotions.listPromotions({ code }, { relations: ["rules", "rules.values", "application_method"] })
        expect([code, p.status, p.application_method.type, Number(p.application_method.value), p.application_method.target_type]).toEqual([code, "active", "percentage", value, "order"])
        expect(p.rules.map((r: any) => [r.attribute, r.operator, r.values.map((v: any) => v.value)])).toEqual([
          ["customer.groups.id", "in", [ids[`Loyalty promotion: ${code}`]]],
        ])
      }
      const [gold] = await promotions.listPromotions({ code: "GOLD15" }, { relations: ["rules", "application_method"] })
      expect([gold.id, Number(gold.application_method.value), gold.rules]).toEqual([foreign.promotion.id, 3, []])
      // The Silver member is in the groups of the promotions they are eligible for, and their tier's.
      expect(await groupNamesOf(customer.id)).toEqual(["Loyalty promotion: MEMBER5", "Loyalty promotion: SILVER10", "Loyalty: Silver"])

      // Medusa's checkout enforces it: the Silver member's cart takes SILVER10; a Bronze member's silently does not.
      const cartWith = async (who: { headers: Record<string, string> }, code: string) => {
        const h = { headers: who.headers }
        const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc }, h)
        await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, h)
        const { data } = await api.post(`/store/carts/${cart.id}/promotions`, { promo_codes: [code] }, h)
        return { codes: (data.cart.promotions ?? []).map((p: { code: string }) => p.code), discount: Number(data.cart.discount_total) }
      }
      expect(await cartWith(customer, "SILVER10")).toEqual({ codes: ["SILVER10"], discount: 10 })
      const bronze = await store.registerCustomer("promo-bronze@loyalty.test")
      await waitFor("the Bronze member's account", () => loyalty().findAccount(bronze.id))
      expect(await cartWith(bronze, "SILVER10")).toEqual({ codes: [], discount: 0 })

      const { data: again } = await api.post("/admin/loyalty/promotions/reconcile", {}, store.admin)
      expect(again).toMatchObject({ created: [], updated: [], unchanged: ["MEMBER5", "SILVER10", "PLATINUM20"] })
      expect(await promotions.listPromotions({ code: ["MEMBER5", "SILVER10", "PLATINUM20", "GOLD15"] })).toHaveLength(4)

      // Its own promotion switched off by hand is brought back to the definition.
      const [silver10] = await promotions.listPromotions({ code: "SILVER10" })
      await promotions.updatePromotions({ id: silver10.id, status: "inactive" })
      const { data: repaired } = await api.post("/admin/loyalty/promotions/reconcile", {}, store.admin)
      expect(repaired).toMatchObject({ updated: ["SILVER10"], unchanged: ["MEMBER5", "PLATINUM20"] })
      expect((await promotions.retrievePromotion(silver10.id)).status).toBe("active")

      // A correction demotes the member: out of Silver's promotion group, still in every member's.
      await adjust(-1, "promo-correction")
      expect(await groupNamesOf(customer.id)).toEqual(["Loyalty promotion: MEMBER5", "Loyalty: Bronze"])
      const { data: listed } = await api.get("/admin/loyalty/promotions", store.admin)
      expect(listed.promotions.map((p: { code: string; status: string }) => [p.code, p.status])).toEqual([["MEMBER5", "active"], ["PLATINUM20", "active"], ["SILVER10", "active"]])
    })

    it("writes one entry when order.placed is delivered five times concurrently", async () => {
      const customer = await store.registerCustomer("redelivery@loyalty.test")
      const order = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
      await waitFor("the first accrual", () => entryByKey(`order:${order.id}:accrual`))
      const bus = getContainer().resolve(Modules.EVENT_BUS)
      await timed("5 concurrent redeliveries", () =>
        Promise.all(Array.from({ length: 5 }, () => accrueOrderWorkflow(getContainer()).run({ input: { order_id: order.id } })))
      )
      await bus.emit([1, 2, 3, 4, 5].map(() => ({ name: "order.placed", data: { id: order.id } })))
      await new Promise((r) => setTimeout(r, 2000))
      const entries = await entriesOfOrder(order.id)
      expect(entries.map((e: { kind: string; points: number }) => [e.kind, e.points])).toEqual([["accrual", 200]])
      expect((await loyalty().findAccount(customer.id)).points_balance).toBe(200)
    })

    it("takes back a canceled order's points, once", async () => {
      const customer = await store.registerCustomer("cancel@loyalty.test")
      const order = await store.placeOrder(customer, [{ price: 19.99, quantity: 2 }])
      await waitFor("the accrual", () => entryByKey(`order:${order.id}:accrual`))
      await api.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
      const reversal = await waitFor("the reversal", () => entryByKey(`order:${order.id}:cancel`))
      expect([reversal.kind, reversal.points, reversal.balance_after]).toEqual(["reversal", -139, 0])
      await reverseOrderWorkflow(getContainer()).run({ input: { order_id: order.id } })
      expect((await entriesOfOrder(order.id)).map((e: { kind: string }) => e.kind)).toEqual(["accrual", "reversal"])
    })

    it("counts only earlier orders that still stand: after a canceled order and an open draft the next order gets the first-order bonus, the one after it does not", async () => {
      const customer = await store.registerCustomer("standing@loyalty.test")
      const canceled = await store.placeOrder(customer, [{ price: 19.99, quantity: 1 }])
      await waitFor("the accrual", () => entryByKey(`order:${canceled.id}:accrual`))
      await api.post(`/admin/orders/${canceled.id}/cancel`, {}, store.admin)
      await waitFor("the reversal", () => entryByKey(`order:${canceled.id}:cancel`))
      // A draft order (Medusa 2 keeps drafts as orders in status "draft") was never placed.
      await getContainer().resolve<any>(Modules.ORDER).createOrders([{
        currency_code: "eur", customer_id: customer.id, email: customer.email, region_id: store.region.id, status: "draft",
        is_draft_order: true, items: [{ title: "draft", quantity: 1, unit_price: 100 }],
      }])
      const first = await store.placeOrder(customer, [{ price: 19.99, quantity: 2 }])
      const second = await store.placeOrder(customer, [{ price: 19.99, quantity: 2 }])
      const points = async (id: string) => (await waitFor(`accrual of ${id}`, () => entryByKey(`order:${id}:accrual`))).points
      expect([await points(first.id), await points(second.id)]).toEqual([39 + 100, 39])
    })

    it("takes an order's accrual back, and leaves the member's tier groups as they were, when the tier group move after it fails", async () => {
      const customer = await store.registerCustomer("follow-up-fails@loyalty.test")
      await waitFor("the Bronze group", async () => (await groupNamesOf(customer.id)).join() === "Loyalty: Bronze")
      // An order without its events delivered (created in the order module): accrueOrder is order.placed's handler.
      const [order] = await getContainer().resolve<any>(Modules.ORDER).createOrders([
        { currency_code: "eur", customer_id: customer.id, email: customer.email, region_id: store.region.id, items: [{ title: "x", quantity: 1, unit_price: 1000 }] },
      ])
      const customers = getContainer().resolve<any>(Modules.CUSTOMER)
      // The move's first call (out of Bronze) fails, before any group changed.
      const remove = customers.removeCustomerFromGroup
      customers.removeCustomerFromGroup = async () => {
        throw new Error("customer module unavailable")
      }
      const { accrueOrder } = await import("../../src/workflows/order-points/workflows")
      try {
        // 1,000 + the first-order bonus lifts the member to Silver: the group move is the follow-up that fails.
        // (Medusa's workflow run rejects with the step's error as a plain object: matched by its message.)
        await expect(accrueOrder(getContainer(), order.id)).rejects.toMatchObject({ message: "customer module unavailable" })
      } finally {
        customers.removeCustomerFromGroup = remove
      }
      const entries = await loyalty().listLoyaltyLedgerEntries({ customer_id: customer.id }, { order: { seq: "ASC" } })
      expect(entries.map((e: { kind: string; points: number; order_id: string | null }) => [e.kind, e.points, e.order_id])).toEqual([
        ["accrual", 1100, order.id],
        ["adjustment", -1100, null], // the workflow compensation of the accrual
      ])
      expect(await loyalty().findAccount(customer.id)).toMatchObject({ points_balance: 0, tier: "bronze" })
      expect(await groupNamesOf(customer.id)).toEqual(["Loyalty: Bronze"])
    })

    it("leaves a tombstone when the cancel is handled before order.placed, and the late placed earns nothing", async () => {
      const customer = await store.registerCustomer("out-of-order@loyalty.test")
      // An order whose events have not been delivered yet (created in the order module: no order.placed emitted).
      const [order] = await getContainer().resolve<any>(Modules.ORDER).createOrders([
        { currency_code: "eur", customer_id: customer.id, email: customer.email, region_id: store.region.id, items: [{ title: "x", quantity: 1, unit_price: 100 }] },
      ])
      await reverseOrderWorkflow(getContainer()).run({ input: { order_id: order.id } })
      await accrueOrderWorkflow(getContainer()).run({ input: { order_id: order.id } })
      const entries = await entriesOfOrder(order.id)
      expect(entries.map((e: any) => [e.kind, e.points, e.details.tombstone])).toEqual([["reversal", 0, true]])
    })

    it("sees a cancel committed while the award waited for the member's lock, and earns nothing", async () => {
      const customer = await store.registerCustomer("lock-wait@loyalty.test")
      await waitFor("the member's account", () => loyalty().findAccount(customer.id))
      const [order] = await getContainer().resolve<any>(Modules.ORDER).createOrders([
        { currency_code: "eur", customer_id: customer.id, email: customer.email, region_id: store.region.id, items: [{ title: "x", quantity: 1, unit_price: 100 }] },
      ])
      const pg = getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
      const holder = await pg.transaction()
      let award: Promise<any> | undefined
      try {
        await holder.raw(`SELECT 1 FROM loyalty_account WHERE customer_id = ? FOR UPDATE`, [customer.id])
        award = accrueOrderWorkflow(getContainer()).run({ input: { order_id: order.id } })
        // The award's lock statement is waiting on the holder: what the holder commits now is what the award must see.
        await waitFor("the award waiting for the lock", async () => {
          const { rows } = await pg.raw(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%loyalty_account%FOR UPDATE%'`)
          return rows[0] ?? null
        })
        await holder.raw(
          `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, pending_after, order_id, idempotency_key, payload_hash, details)
           SELECT 'lent_lock_wait', id, customer_id, 'reversal', 0, points_balance, points_pending, ?, ?, 'test', '{"tombstone": true}'::jsonb
             FROM loyalty_account WHERE customer_id = ?`,
          [order.id, `order:${order.id}:cancel`, customer.id]
        )
        await holder.commit()
      } finally {
        if (!holder.isCompleted()) await holder.rollback()
      }
      const { result } = await award!
      expect([result.accrual.status, result.accrual.reason]).toEqual(["skipped", "canceled"])
      expect((await entriesOfOrder(order.id)).map((e: any) => [e.kind, e.points])).toEqual([["reversal", 0]])
    })

    it("claws back a partial refund proportionally, then the rest on the full refund, by the figures stored on the accrual", async () => {
      const customer = await store.registerCustomer("refund@loyalty.test")
      const order = await store.placeOrder(customer, [{ price: 100, quantity: 1 }]) // total 110.00, earns 200
      await waitFor("the accrual", () => entryByKey(`order:${order.id}:accrual`))
      const payment = await store.paymentOf(order.id)
      await api.post(`/admin/payments/${payment}/capture`, {}, store.admin)
      await api.post(`/admin/payments/${payment}/refund`, { amount: 50 }, store.admin)
      const first = await waitFor("the first clawback", async () => (await entriesOfOrder(order.id)).find((e: any) => e.kind === "clawback"))
      expect([first.points, first.details.refund_minor]).toEqual([-90, 5000]) // floor(200 × 5000 / 11000)
      await api.post(`/admin/payments/${payment}/refund`, { amount: 60 }, store.admin)
      await waitFor("the second clawback", async () => (await entriesOfOrder(order.id)).filter((e: any) => e.kind === "clawback").length === 2)
      const entries = await entriesOfOrder(order.id)
      expect(entries.map((e: { kind: string; points: number }) => [e.kind, e.points])).toEqual([["accrual", 200], ["clawback", -90], ["clawback", -110]])
      expect((await loyalty().findAccount(customer.id)).points_balance).toBe(0)
    })

    it("shows a member only their own account and entries", async () => {
      const alice = await store.registerCustomer("alice@loyalty.test")
      const bob = await store.registerCustomer("bob@loyalty.test")
      const order = await store.placeOrder(alice, [{ price: 100, quantity: 1 }])
      await waitFor("alice's accrual", () => entryByKey(`order:${order.id}:accrual`))
      const { data: bobs } = await api.get("/store/customers/me/loyalty/entries", { headers: bob.headers })
      expect(bobs.entries).toEqual([])
      const { data: bobAccount } = await api.get("/store/customers/me/loyalty", { headers: bob.headers })
      expect([bobAccount.loyalty_account.customer_id, bobAccount.loyalty_account.points_balance]).toEqual([bob.id, 0])
      // A customer token is not an admin token.
      expect((await api.get(`/admin/loyalty/accounts/${alice.id}`, { headers: bob.headers }).catch((e: any) => e.response)).status).toBe(401)
    })

    it("records an admin adjustment once per Idempotency-Key: an exact retry replays, another payload is a 422", async () => {
      const customer = await store.registerCustomer("adjust@loyalty.test")
      const path = `/admin/loyalty/accounts/${customer.id}/adjustments`
      const h = (key?: string) => ({ headers: { ...store.admin.headers, ...(key ? { "idempotency-key": key } : {}) } })
      const first = await api.post(path, { points: 25, reason: "goodwill" }, h("k-1"))
      const again = await api.post(path, { points: 25, reason: "goodwill" }, h("k-1"))
      expect(again.data.entry.id).toBe(first.data.entry.id)
      expect(again.data.loyalty_account.points_balance).toBe(25)
      const conflict = await api.post(path, { points: 30, reason: "goodwill" }, h("k-1")).catch((e: any) => e.response)
      expect([conflict.status, conflict.data.code]).toEqual([422, "IDEMPOTENCY_CONFLICT"])
      const noKey = await api.post(path, { points: 5, reason: "x" }, h()).catch((e: any) => e.response)
      expect([noKey.status, noKey.data.type]).toEqual([400, "invalid_data"])
      const badBody = await api.post(path, { points: 1.5, reason: "x" }, h("k-2")).catch((e: any) => e.response)
      expect(badBody.status).toBe(400)
      const unknown = await api.get("/admin/loyalty/accounts/cus_unknown", store.admin).catch((e: any) => e.response)
      expect(unknown.status).toBe(404)
      const badQuery = await api.get("/admin/loyalty/accounts?limit=0x10", store.admin).catch((e: any) => e.response)
      expect(badQuery.status).toBe(400)
      const { data: list } = await api.get(`/admin/loyalty/accounts?q=adjust@`, store.admin)
      expect(list.loyalty_accounts.map((a: { email: string }) => a.email)).toEqual(["adjust@loyalty.test"])
    })

    it("keeps the ledger append-only in the database and consistent by verify", async () => {
      const customer = await store.registerCustomer("immutable@loyalty.test")
      const headers = { headers: { ...store.admin.headers, "idempotency-key": "immutable-1" } }
      await api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points: 7, reason: "seed" }, headers)
      await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
      const knex = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      await waitFor("two entries", async () => (await knex.raw(`SELECT count(*)::int AS n FROM loyalty_ledger_entry`)).rows[0].n === 2)
      await expect(knex.raw(`UPDATE loyalty_ledger_entry SET points = points + 1`)).rejects.toThrow(/append-only/)
      await expect(knex.raw(`DELETE FROM loyalty_ledger_entry`)).rejects.toThrow(/append-only/)
      const { data } = await api.get("/admin/loyalty/verify", store.admin)
      expect(data).toMatchObject({ ok: true, problems: [] })
      expect(data.entries_checked).toBe(2)
    })

    it("lets the root CLI verify and backtest this v2 store's database (--medusa-version 2, and detected)", async () => {
      // The CLI is the root package's (the v1 plugin's bin, shared): built by the root's `npm run build`.
      const cli = path.resolve(__dirname, "../../../dist/cli/index.js")
      if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build at the repository root first`)
      const customer = await store.registerCustomer("cli@loyalty.test")
      const order = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
      await waitFor("the accrual", () => entryByKey(`order:${order.id}:accrual`))
      const knex = getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
      const { rows } = await knex.raw(`SELECT current_database() AS db, inet_server_port() AS port`)
      const [user, password] = [process.env.DB_USERNAME || "postgres", process.env.DB_PASSWORD || ""]
      const url = `postgres://${user}${password ? `:${password}` : ""}@${process.env.DB_HOST || "localhost"}:${rows[0].port ?? 5432}/${rows[0].db}`
      const run = promisify(execFile)
      const env = { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true" }
      const verified = JSON.parse((await run("node", [cli, "verify", "--database-url", url, "--medusa-version", "2", "--json"], { env })).stdout)
      expect(verified).toMatchObject({ ok: true, problems: [] })
      expect(verified.entries_checked).toBeGreaterThanOrEqual(1)
      const detected = JSON.parse((await run("node", [cli, "verify", "--database-url", url, "--json"], { env })).stdout)
      expect(detected.ok).toBe(true)
      // A candidate whose Silver needs 100.00 of spend in 365 days: the member's spend (read from v2's order tables)
      // qualifies them, so the backtest reports bronze → silver; the accrual's points are unchanged.
      const candidate = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-v2-candidate-"))
      const rulesDir = path.resolve(__dirname, "../../../rules")
      fs.cpSync(rulesDir, candidate, { recursive: true })
      const tiers = JSON.parse(fs.readFileSync(path.join(candidate, "tiers.json"), "utf8"))
      tiers.tiers[1].conditions = { all: [{ fact: "member", path: "$.spend_last_365d_minor", operator: "greaterThanInclusive", value: 10000 }] }
      fs.writeFileSync(path.join(candidate, "tiers.json"), JSON.stringify(tiers, null, 2))
      try {
        const { stdout } = await run("node", [cli, "backtest", "--rules", candidate, "--database-url", url, "--medusa-version", "2", "--format", "json"], { env })
        const report = JSON.parse(stdout)
        const mine = report.members.find((m: { customer_id: string }) => m.customer_id === customer.id)
        expect(mine).toMatchObject({ points_now: 200, points_candidate: 200, delta: 0, tier_now: "bronze", tier_candidate: "silver" })
      } finally {
        fs.rmSync(candidate, { recursive: true, force: true })
      }
    })

    it("serves the rules toolchain routes: live rules, validate, reload and simulate", async () => {
      const { data: rules } = await api.get("/admin/loyalty/rules", store.admin)
      expect(rules.rules.files).toEqual(expect.arrayContaining(["accrual.json", "program.json", "tiers.json"]))
      const { data: invalid } = await api.post("/admin/loyalty/rules/validate", { files: [{ name: "accrual.json", content: "{" }] }, store.admin)
      expect(invalid.valid).toBe(false)
      const { data: reloaded } = await api.post("/admin/loyalty/rules/reload", {}, store.admin)
      expect(reloaded.rules.version).toBe(rules.rules.version)
      const { data: simulated } = await api.post(
        "/admin/loyalty/simulate",
        { order: { subtotal: 10000, currency_code: "eur" }, customer: { orders_count: 0 } },
        store.admin
      )
      expect([simulated.points, simulated.rule_names]).toEqual([200, ["base-earn", "first-order-bonus"]])
    })
  },
})
