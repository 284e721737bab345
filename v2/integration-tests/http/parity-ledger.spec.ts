import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import fs from "fs"
import os from "os"
import path from "path"
import { addMonths } from "../../src/core/domain/ledger/expiry"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { runActivateJob } from "../../src/workflows/jobs/activate"
import { runReconcileJob } from "../../src/workflows/jobs/reconcile"
import { runTiersJob } from "../../src/workflows/jobs/tiers"
import loyaltyReconcileJob, { config as reconcileJobConfig } from "../../src/jobs/loyalty-reconcile"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * v1 behaviours of the ledger's lifecycle (returns, pending and captured points, referrals awarded late, redemption
 * races and failures, tier grace, next expiry, reconcile's failures and schedule, stop-at-zero balances) proven on a
 * real Medusa 2.21 app over HTTP; one describe per v1 integration test file. The suite's own rules (read through
 * LOYALTY_V2_RULES_DIR by medusa-config.ts before the runner's `env` applies, hence set here): the package's, plus the
 * campaigns example's action rules (500 points to each side of a referral). Tests that need another program or
 * ladder write it and reload the rules, restoring the package's afterwards.
 */
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-parity-ledger-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
fs.copyFileSync(path.resolve(__dirname, "../../../examples/rulebooks/campaigns/actions.json"), path.join(rulesDir, "actions.json"))
const packageFile = (name: string) => fs.readFileSync(path.join(packageRules, name), "utf8")
process.env.LOYALTY_V2_RULES_DIR = rulesDir

const DAY = 24 * 60 * 60 * 1000
const ORDER_EVENTS = ["order.placed", "order.canceled", "payment.refunded", "payment.captured", "order.return_received"]

const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await run()
  } finally {
    timings[name] = Date.now() - start
  }
}

type Who = { id: string; email: string; headers: Record<string, string> }

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    const seen: Record<string, string[]> = { "order.return_received": [], "customer.created": [] }
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const knex = () => getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
    const entryByKey = (key: string) => loyalty().findEntryByKey(key)
    const fail = (e: any) => e.response ?? Promise.reject(e)
    const account = (customer_id: string) => loyalty().findAccount(customer_id)
    /** An order's entries in append order: [kind, points, pending_delta]. */
    const movesOf = async (order_id: string) =>
      (await loyalty().listLoyaltyLedgerEntries({ order_id }, { order: { seq: "ASC" }, take: null })).map((e: any) => [e.kind, e.points, e.pending_delta])
    const movesUntil = (order_id: string, n: number) =>
      waitFor(`${n} entries of ${order_id}`, async () => {
        const moves = await movesOf(order_id)
        return moves.length >= n && moves
      })
    const verify = async () => (await api.get("/admin/loyalty/verify", store.admin)).data
    const summary = async (who: Who) => (await api.get("/store/customers/me/loyalty", { headers: who.headers })).data.loyalty_account
    const adjust = (customer_id: string, points: number, key: string) =>
      api.post(`/admin/loyalty/accounts/${customer_id}/adjustments`, { points, reason: "parity" }, { headers: { ...store.admin.headers, "idempotency-key": key } })
    const redeem = (who: Who, body: Record<string, unknown>, key: string) =>
      api.post("/store/customers/me/loyalty/redemptions", body, { headers: { ...who.headers, "idempotency-key": key } })
    const member = async (email: string, points = 0): Promise<Who> => {
      const customer = await store.registerCustomer(email)
      await waitFor("the account", () => account(customer.id))
      if (points) await adjust(customer.id, points, `seed-${customer.id}`)
      return customer
    }
    const capture = async (order_id: string) => api.post(`/admin/payments/${await store.paymentOf(order_id)}/capture`, {}, store.admin)
    const refund = async (order_id: string, amount: number) =>
      api.post(`/admin/payments/${await store.paymentOf(order_id)}/refund`, { amount }, store.admin)
    const itemsOf = async (order_id: string) =>
      (await api.get(`/admin/orders/${order_id}?fields=id,*items`, store.admin)).data.order.items.map((i: any) => ({ id: i.id, quantity: Number(i.quantity) }))
    const fulfill = async (order_id: string) => api.post(`/admin/orders/${order_id}/fulfillments`, { items: await itemsOf(order_id) }, store.admin)
    const reloadRules = async () => (await api.post("/admin/loyalty/rules/reload", {}, store.admin)).data
    /** Runs `work` under the package's program with `patch` (and `files` written as given), restoring the package's rules after. */
    async function withRules<T>(patch: Record<string, unknown>, work: () => Promise<T>, files: Record<string, unknown> = {}): Promise<T> {
      fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...JSON.parse(packageFile("program.json")), ...patch }, null, 2))
      for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(rulesDir, name), JSON.stringify(content, null, 2))
      try {
        await reloadRules()
        return await work()
      } finally {
        fs.writeFileSync(path.join(rulesDir, "program.json"), packageFile("program.json"))
        for (const name of Object.keys(files)) fs.writeFileSync(path.join(rulesDir, name), packageFile(name))
        await reloadRules()
      }
    }

    /** Takes the plugin's subscribers of `events` off the event bus (events "lost") until the returned function puts them back. */
    const lose = (events: string[] = ORDER_EVENTS) => {
      const emitter = (getContainer().resolve<any>(Modules.EVENT_BUS) as any).eventEmitter_
      const taken: Array<[string, (...a: unknown[]) => unknown]> = []
      for (const event of events) {
        for (const listener of emitter.listeners(event)) {
          if (String(listener.subscriberId ?? "").startsWith("loyalty-")) {
            emitter.off(event, listener)
            taken.push([event, listener])
          }
        }
      }
      expect(taken.length).toBeGreaterThanOrEqual(events.length)
      return () => taken.forEach(([event, listener]) => emitter.on(event, listener))
    }

    /** A real database failure for one customer's ledger inserts (a trigger), dropped by the returned function. */
    const refuseLedgerInserts = async (where: string) => {
      await knex().raw(`CREATE OR REPLACE FUNCTION loyalty_parity_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test: ledger insert refused'; END $$`)
      await knex().raw(`CREATE TRIGGER loyalty_parity_refuse BEFORE INSERT ON loyalty_ledger_entry FOR EACH ROW WHEN (${where}) EXECUTE FUNCTION loyalty_parity_refuse()`)
      return async () => {
        await knex().raw(`DROP TRIGGER loyalty_parity_refuse ON loyalty_ledger_entry`)
        await knex().raw(`DROP FUNCTION loyalty_parity_refuse()`)
      }
    }

    const loyalCodesOf = async (customer_id: string) => {
      const promotions = await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({}, { relations: ["rules", "rules.values"], take: null })
      return promotions.filter((p: any) => p.code.startsWith("LOYAL-") && p.rules.some((r: any) => r.values.some((v: any) => v.value === customer_id)))
    }

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer(), [100]))
      for (const name of Object.keys(seen)) {
        getContainer().resolve<any>(Modules.EVENT_BUS).subscribe(
          name,
          async (message: any) => { seen[name].push((message?.data ?? message)?.order_id ?? (message?.data ?? message)?.id) },
          { subscriberId: `parity-ledger-spec-${name}` }
        )
      }
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
      // eslint-disable-next-line no-console
      console.log(`v2 parity-ledger timings (ms): ${JSON.stringify(timings)}`)
    })

    describe("lifecycle.test.ts", () => {
      /** A return of every item of the order, requested and received through the admin's return flow. */
      async function receiveReturn(order_id: string) {
        const items = await itemsOf(order_id)
        await fulfill(order_id) // Medusa 2 returns only what was fulfilled
        const post = (p: string, body: unknown) =>
          api.post(p, body, store.admin).catch((e: any) => Promise.reject(new Error(`POST ${p} → ${e.response?.status}: ${JSON.stringify(e.response?.data)}`)))
        const { data } = await post("/admin/returns", { order_id })
        const id = data.return.id
        await post(`/admin/returns/${id}/request-items`, { items })
        await post(`/admin/returns/${id}/request`, {})
        await post(`/admin/returns/${id}/receive`, {})
        await post(`/admin/returns/${id}/receive-items`, { items })
        await post(`/admin/returns/${id}/receive/confirm`, {})
        await waitFor("order.return_received", async () => seen["order.return_received"].includes(order_id))
      }

      it("claws back in proportion the refund the merchant makes for a received return, once", async () => {
        const eve = await member("eve@parity.test")
        const order = await store.placeOrder(eve, [{ price: 100, quantity: 1 }]) // total 110.00, earns 200
        await movesUntil(order.id, 1)
        await capture(order.id)
        await timed("return received", () => receiveReturn(order.id))
        // Medusa 2 refunds a received return when the merchant refunds the order's credit: the item's 100.00.
        await refund(order.id, 100)
        expect(await movesUntil(order.id, 2)).toEqual([["accrual", 200, 0], ["clawback", -181, 0]]) // floor(200 × 10000 / 11000)
        expect(await account(eve.id)).toMatchObject({ points_balance: 19, points_lifetime: 19 })
      })

      it("claws nothing back for a return received without a refund", async () => {
        const fay = await member("fay@parity.test")
        const order = await store.placeOrder(fay, [{ price: 100, quantity: 1 }])
        await movesUntil(order.id, 1)
        await capture(order.id)
        await receiveReturn(order.id)
        // The plugin's order.return_received handler sweeps the order's refunds (there are none) the same way.
        const { clawbackRefundsWorkflow } = await import("../../src/workflows/order-points/workflows")
        await clawbackRefundsWorkflow(getContainer()).run({ input: { order_id: order.id } })
        expect(await movesOf(order.id)).toEqual([["accrual", 200, 0]])
        expect(await account(fay.id)).toMatchObject({ points_balance: 200 })
      })
    })

    describe("pending.test.ts", () => {
      it("activates only what a partial refund left pending", async () => {
        await withRules({ pending_days: 14 }, async () => {
          const cat = await member("cat@parity.test")
          const order = await store.placeOrder(cat, [{ price: 100, quantity: 1 }])
          expect(await movesUntil(order.id, 1)).toEqual([["accrual", 0, 200]])
          await capture(order.id)
          await refund(order.id, 50)
          // floor(200 × 5000 / 11000) = 90 leave pending, 110 stay pending; the balance is untouched.
          expect((await movesUntil(order.id, 2))[1]).toEqual(["clawback", 0, -90])
          expect(await account(cat.id)).toMatchObject({ points_balance: 0, points_pending: 110 })
          await fulfill(order.id)
          await runActivateJob(getContainer(), new Date(Date.now() + 15 * DAY))
          expect((await movesOf(order.id))[2]).toEqual(["activation", 110, -110])
          expect(await account(cat.id)).toMatchObject({ points_balance: 110, points_pending: 0, points_lifetime: 110 })
        })
      })
    })

    describe("redemption.test.ts", () => {
      it("shows the admin the member's codes with their status and the same account summary the member sees", async () => {
        const kim = await member("kim@parity.test")
        const order = await store.placeOrder(kim, [{ price: 100, quantity: 5 }]) // 500 + 100 first-order bonus
        await movesUntil(order.id, 1)
        const earned = await entryByKey(`order:${order.id}:accrual`)
        const r = (await redeem(kim, { points: 500, region_id: store.region.id }, "kim-1")).data.redemption
        const { data: listed } = await api.get(`/admin/loyalty/accounts/${kim.id}/redemptions?limit=5`, store.admin)
        expect(listed).toMatchObject({ count: 1, limit: 5, offset: 0 })
        expect(listed.redemptions).toEqual([expect.objectContaining({ id: r.id, discount_code: r.discount_code, status: "reserved", points: 500 })])

        const mine = await summary(kim)
        const { data: { loyalty_account: seen } } = await api.get(`/admin/loyalty/accounts/${kim.id}`, store.admin)
        expect(seen).toEqual(mine)
        expect(seen).toMatchObject({ points_balance: 100, next_tier: { code: "silver", points_needed: 400 } })
        expect(seen.next_expiry).toEqual({ points: 100, expires_at: addMonths(new Date(earned.created_at), 12).toISOString() })

        const unknown = await api.get("/admin/loyalty/accounts/cus_nobody/redemptions", store.admin).catch(fail)
        expect([unknown.status, unknown.data.code]).toEqual([404, "NOT_FOUND"])
      })

      it("refuses a redemption larger than the balance with INSUFFICIENT_POINTS and writes nothing", async () => {
        const carl = await member("carl@parity.test", 223)
        const entries = await loyalty().listLoyaltyLedgerEntries({ customer_id: carl.id }, { take: null })
        const res = await redeem(carl, { points: 500, region_id: store.region.id }, "carl-1").catch(fail)
        expect([res.status, res.data.type, res.data.code]).toEqual([400, "not_allowed", "INSUFFICIENT_POINTS"])
        expect(res.data.message).toMatch(/500 requested, 223 available/)
        expect(await account(carl.id)).toMatchObject({ points_balance: 223 })
        expect(await loyalty().listLoyaltyLedgerEntries({ customer_id: carl.id }, { take: null })).toEqual(entries)
        expect((await api.get("/store/customers/me/loyalty/redemptions", { headers: carl.headers })).data.count).toBe(0)
        expect(await loyalCodesOf(carl.id)).toEqual([])
      })

      it("never overdraws: 50 concurrent 500-point redemptions on 2,000 points give exactly 4 codes", async () => {
        const fay = await member("fay-redeem@parity.test", 2000)
        const results = await timed("50 concurrent redemptions", () =>
          Promise.all(Array.from({ length: 50 }, (_, i) => redeem(fay, { points: 500, region_id: store.region.id }, `fay-${i}`).catch(fail))))
        const ok = results.filter((r: any) => r.status === 201)
        const refused = results.filter((r: any) => r.status === 400 && r.data.code === "INSUFFICIENT_POINTS")
        expect([ok.length, refused.length]).toEqual([4, 46])
        const codes = new Set(ok.map((r: any) => r.data.redemption.discount_code))
        expect(codes.size).toBe(4)
        expect(await account(fay.id)).toMatchObject({ points_balance: 0 })
        const entries = await loyalty().listLoyaltyLedgerEntries({ customer_id: fay.id }, { take: null })
        expect([entries.length, entries.reduce((s: number, e: any) => s + e.points, 0)]).toEqual([5, 0])
        // One live promotion per code, none left by the refused requests.
        expect(new Set((await loyalCodesOf(fay.id)).map((p: any) => p.code))).toEqual(codes)
        expect((await api.get("/store/customers/me/loyalty/redemptions", { headers: fay.headers })).data.count).toBe(4)
        expect(await verify()).toMatchObject({ ok: true, problems: [] })
      })

      it("rolls everything back when a write fails mid-redemption: no code, no entry, no redemption, same balance", async () => {
        const gil = await member("gil@parity.test", 600)
        const entries = await loyalty().listLoyaltyLedgerEntries({ customer_id: gil.id }, { take: null })
        // A real database failure at the ledger write, after the workflow created the code's promotion.
        const drop = await refuseLedgerInserts(`NEW.customer_id = '${gil.id}'`)
        let res: any
        try {
          res = await redeem(gil, { points: 500, region_id: store.region.id }, "gil-1").catch(fail)
        } finally {
          await drop()
        }
        expect(res.status).toBeGreaterThanOrEqual(500)
        expect(await account(gil.id)).toMatchObject({ points_balance: 600 })
        expect(await loyalty().listLoyaltyLedgerEntries({ customer_id: gil.id }, { take: null })).toEqual(entries)
        expect(await loyalty().findRedemptions({ customer_id: gil.id })).toEqual([])
        expect(await loyalCodesOf(gil.id)).toEqual([])
        // Nothing was half-done: the same request now succeeds.
        const again = await redeem(gil, { points: 500, region_id: store.region.id }, "gil-1")
        expect(again.status).toBe(201)
        expect(await account(gil.id)).toMatchObject({ points_balance: 100 })
      })
    })

    describe("spendable-on-captured.test.ts", () => {
      const captured = <T>(work: () => Promise<T>) => withRules({ spendable_on: "captured" }, work)

      it("keeps an authorized order's points pending and unredeemable until its payment is captured, then makes them spendable", async () => {
        await captured(async () => {
          const ann = await member("ann@parity.test")
          const order = await store.placeOrder(ann, [{ price: 100, quantity: 4 }]) // 400 + 100 first-order bonus
          expect(await movesUntil(order.id, 1)).toEqual([["accrual", 0, 500]])
          expect(await summary(ann)).toMatchObject({ points_balance: 0, points_pending: 500, points_lifetime: 0 })
          const refused = await redeem(ann, { points: 500, region_id: store.region.id }, "ann-1").catch(fail)
          expect([refused.status, refused.data.code]).toEqual([400, "INSUFFICIENT_POINTS"])
          expect(refused.data.message).toMatch(/500 requested, 0 available/)
          // No capture, no activation, however late the job runs.
          expect((await runActivateJob(getContainer(), new Date(Date.now() + 400 * DAY))).activation.entries_posted).toBe(0)
          await capture(order.id)
          expect((await movesUntil(order.id, 2))[1]).toEqual(["activation", 500, -500])
          expect((await entryByKey(`order:${order.id}:activation`)).reason).toBe("payment captured")
          expect(await summary(ann)).toMatchObject({ points_balance: 500, points_pending: 0, points_lifetime: 500 })
          expect((await redeem(ann, { points: 500, region_id: store.region.id }, "ann-2")).status).toBe(201)
          expect(await summary(ann)).toMatchObject({ points_balance: 0 })
        })
      })

      it("activates a captured order whose payment.captured was lost when the activation job runs", async () => {
        await captured(async () => {
          const ben = await member("ben@parity.test")
          const order = await store.placeOrder(ben, [{ price: 100, quantity: 1 }])
          await movesUntil(order.id, 1)
          const restore = lose(["payment.captured"])
          try {
            await capture(order.id)
          } finally {
            restore()
          }
          expect(await movesOf(order.id)).toEqual([["accrual", 0, 200]])
          const { data } = await api.post("/admin/loyalty/jobs/activate", {}, store.admin)
          expect(data.activation).toMatchObject({ entries_posted: 1, points_activated: 200 })
          expect(await movesOf(order.id)).toEqual([["accrual", 0, 200], ["activation", 200, -200]])
          expect(await account(ben.id)).toMatchObject({ points_balance: 200, points_pending: 0 })
        })
      })

      it("awards an order captured before its accrual is written as spendable at once", async () => {
        await captured(async () => {
          const cy = await member("cy@parity.test")
          // order.placed is delivered only after the capture, whose own event is lost: the accrual alone sees the capture.
          const restore = lose(["order.placed", "payment.captured"])
          let order: { id: string }
          try {
            order = await store.placeOrder(cy, [{ price: 100, quantity: 1 }])
            await capture(order.id)
          } finally {
            restore()
          }
          expect(await movesOf(order.id)).toEqual([])
          await getContainer().resolve<any>(Modules.EVENT_BUS).emit({ name: "order.placed", data: { id: order.id } })
          expect(await movesUntil(order.id, 1)).toEqual([["accrual", 200, 0]])
          expect(await account(cy.id)).toMatchObject({ points_balance: 200, points_pending: 0, points_lifetime: 200 })
        })
      })

      it("takes a canceled uncaptured order's points out of pending without touching the balance", async () => {
        await captured(async () => {
          const dan = await member("dan@parity.test")
          const order = await store.placeOrder(dan, [{ price: 100, quantity: 1 }])
          await movesUntil(order.id, 1)
          await api.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
          expect((await movesUntil(order.id, 2))[1]).toEqual(["reversal", 0, -200])
          expect(await account(dan.id)).toMatchObject({ points_balance: 0, points_pending: 0, points_lifetime: 0 })
          await runActivateJob(getContainer(), new Date(Date.now() + 400 * DAY))
          expect(await movesOf(order.id)).toHaveLength(2)
        })
      })

      it("leaves a ledger that verifies after a captured, a late-activated, a late-accrued and a canceled order of one member", async () => {
        await captured(async () => {
          const eli = await member("eli@parity.test")
          const first = await store.placeOrder(eli, [{ price: 100, quantity: 1 }])
          await movesUntil(first.id, 1)
          await capture(first.id)
          await movesUntil(first.id, 2)
          const lostCapture = await store.placeOrder(eli, [{ price: 100, quantity: 1 }])
          await movesUntil(lostCapture.id, 1)
          let late: { id: string }
          const restore = lose(["order.placed", "payment.captured"])
          try {
            await capture(lostCapture.id)
            late = await store.placeOrder(eli, [{ price: 100, quantity: 1 }])
            await capture(late.id)
          } finally {
            restore()
          }
          await getContainer().resolve<any>(Modules.EVENT_BUS).emit({ name: "order.placed", data: { id: late.id } })
          await movesUntil(late.id, 1)
          await runActivateJob(getContainer(), new Date())
          const canceled = await store.placeOrder(eli, [{ price: 100, quantity: 1 }])
          await movesUntil(canceled.id, 1)
          await api.post(`/admin/orders/${canceled.id}/cancel`, {}, store.admin)
          await movesUntil(canceled.id, 2)
          expect(await account(eli.id)).toMatchObject({ points_balance: 400, points_pending: 0 }) // 200 + 100 + 100
          expect(await verify()).toMatchObject({ ok: true, problems: [] })
        })
      })
    })

    describe("referral-pending.test.ts", () => {
      const referralCode = async (who: Who) => (await api.get("/store/customers/me/loyalty/referral", { headers: who.headers })).data.code
      async function referredPair(prefix: string) {
        const referrer = await member(`${prefix}-referrer@parity.test`)
        const referred = await member(`${prefix}-referred@parity.test`)
        expect((await api.post("/store/customers/me/loyalty/referral", { code: await referralCode(referrer) }, { headers: referred.headers })).status).toBe(201)
        return { referrer, referred }
      }
      const awardOf = (role: "referrer" | "referred", referred: Who) => entryByKey(`action:referral:${role}:${referred.id}`)

      it("awards a first order's referral (pending) through reconcile when order.placed was lost, once", async () => {
        await withRules({ pending_days: 14 }, async () => {
          const since = new Date(Date.now() - 60_000)
          const { referrer, referred } = await referredPair("lost")
          const restore = lose(["order.placed"])
          try {
            await store.placeOrder(referred, [{ price: 100, quantity: 1 }])
          } finally {
            restore()
          }
          expect(await awardOf("referrer", referred)).toBeNull()
          const first = await timed("reconcile with a lost referral", () => runReconcileJob(getContainer(), { since, now: new Date() }))
          expect(first.referrals).toEqual({ awarded: 2, reversed: 0 })
          for (const role of ["referrer", "referred"] as const) {
            const award = await awardOf(role, referred)
            expect([role, award.kind, award.points, award.pending_delta]).toEqual([role, "action", 0, 500])
          }
          expect(await account(referrer.id)).toMatchObject({ points_balance: 0, points_pending: 500 })
          expect((await runReconcileJob(getContainer(), { since, now: new Date() })).referrals).toEqual({ awarded: 0, reversed: 0 })
          expect(await verify()).toMatchObject({ ok: true, problems: [] })
        })
      })

      it("activates both referral awards when the first order's payment is captured", async () => {
        await withRules({ spendable_on: "captured" }, async () => {
          const { referrer, referred } = await referredPair("captured")
          const order = await store.placeOrder(referred, [{ price: 100, quantity: 1 }])
          const award = await waitFor("the referrer's award", () => awardOf("referrer", referred))
          expect([award.points, award.pending_delta]).toEqual([0, 500])
          await waitFor("the referred member's award", () => awardOf("referred", referred))
          await capture(order.id)
          for (const role of ["referrer", "referred"] as const) {
            const activation = await waitFor(`the ${role}'s activation`, () => entryByKey(`action:referral:${role}:${referred.id}:activation`))
            expect([role, activation.kind, activation.points, activation.pending_delta]).toEqual([role, "activation", 500, -500])
          }
          await waitFor("the order's activation", () => entryByKey(`order:${order.id}:activation`))
          expect(await account(referrer.id)).toMatchObject({ points_balance: 500, points_pending: 0 })
          expect(await account(referred.id)).toMatchObject({ points_balance: 700, points_pending: 0 })
          expect(await verify()).toMatchObject({ ok: true, problems: [] })
        })
      })
    })

    describe("expiry.test.ts", () => {
      it("shows the member the next points to expire and when: earn date + 12 months", async () => {
        const cat = await member("cat-expiry@parity.test")
        const order = await store.placeOrder(cat, [{ price: 100, quantity: 1 }])
        await movesUntil(order.id, 1)
        const earned = await entryByKey(`order:${order.id}:accrual`)
        await adjust(cat.id, -23, "cat-spend")
        const mine = await summary(cat)
        expect(mine).toMatchObject({ points_balance: 177, points_pending: 0 })
        expect(mine.next_expiry).toEqual({ points: 177, expires_at: addMonths(new Date(earned.created_at), 12).toISOString() })
        // A member with no points has nothing to expire.
        expect((await summary(await member("empty-expiry@parity.test"))).next_expiry).toBeNull()
      })
    })

    describe("reconcile.test.ts", () => {
      it("refuses a malformed body naming the field", async () => {
        for (const body of [{ since: "yesterday" }, { limit: 0 }, { limit: 20000 }, { dry_run: true }, { since: "2030-01-01" }]) {
          const res = await api.post("/admin/loyalty/jobs/reconcile", body, store.admin).catch(fail)
          expect({ body, status: res.status, code: res.data.code }).toEqual({ body, status: 400, code: "INVALID_INPUT" })
          expect(res.data.message).toMatch(/since|limit|dry_run/)
        }
      })

      it("records a failing order with its code, goes on with the others, stops at the limit, and retries it next time", async () => {
        const since = new Date(Date.now() - 60_000)
        const xena = await member("xena@parity.test")
        const yann = await member("yann@parity.test")
        const restore = lose(ORDER_EVENTS)
        let failing: { id: string }
        let other: { id: string }
        try {
          failing = await store.placeOrder(xena, [{ price: 100, quantity: 1 }])
          other = await store.placeOrder(yann, [{ price: 100, quantity: 1 }])
        } finally {
          restore()
        }
        const window = { since, now: new Date() }
        const drop = await refuseLedgerInserts(`NEW.order_id = '${failing.id}'`)
        try {
          const limited = await runReconcileJob(getContainer(), { ...window, limit: 1 })
          expect(limited).toMatchObject({ scanned: 1, applied: { accruals: 0 }, complete: false })
          expect(limited.failures).toEqual([{ kind: "accrual", order_id: failing.id, refund_id: null, code: expect.any(String), message: expect.stringMatching(/ledger insert refused/) }])
          const run = await runReconcileJob(getContainer(), window)
          expect(run).toMatchObject({ scanned: 2, applied: { accruals: 1, reversals: 0, clawbacks: 0 }, complete: true })
          expect(run.failures.map((f: any) => [f.order_id, f.code])).toEqual([[failing.id, limited.failures[0].code]])
          expect(await account(yann.id)).toMatchObject({ points_balance: 200 })
        } finally {
          await drop()
        }
        expect(await movesOf(failing.id)).toEqual([])
        const retried = await runReconcileJob(getContainer(), window)
        expect(retried).toMatchObject({ scanned: 1, applied: { accruals: 1 }, failures: [] })
        expect(await movesOf(other.id)).toEqual([["accrual", 200, 0]])
        expect(await account(xena.id)).toMatchObject({ points_balance: 200 })
      })

      it("runs hourly as a scheduled job over the last 7 days, leaving the last minutes to the event handlers", async () => {
        expect(reconcileJobConfig).toMatchObject({ name: "loyalty-reconcile", schedule: "23 * * * *" })
        const wes = await member("wes@parity.test")
        const vic = await member("vic@parity.test")
        const restore = lose(ORDER_EVENTS)
        let old: { id: string }
        let recent: { id: string }
        try {
          old = await store.placeOrder(wes, [{ price: 100, quantity: 1 }])
          recent = await store.placeOrder(vic, [{ price: 100, quantity: 1 }])
        } finally {
          restore()
        }
        // Wes's order was placed an hour ago (its event lost); Vic's a moment ago, maybe still in flight; an order of
        // eight days ago is outside the job's window.
        await knex().raw(`UPDATE "order" SET created_at = now() - interval '1 hour' WHERE id = ?`, [old.id])
        const scheduled = process.env.LOYALTY_SCHEDULED_JOBS
        process.env.LOYALTY_SCHEDULED_JOBS = "on"
        try {
          await timed("scheduled reconcile", () => loyaltyReconcileJob(getContainer()))
        } finally {
          process.env.LOYALTY_SCHEDULED_JOBS = scheduled
        }
        expect(await movesOf(old.id)).toEqual([["accrual", 200, 0]])
        expect(await movesOf(recent.id)).toEqual([])
        await knex().raw(`UPDATE "order" SET created_at = now() - interval '8 days' WHERE id = ?`, [recent.id])
        process.env.LOYALTY_SCHEDULED_JOBS = "on"
        try {
          await loyaltyReconcileJob(getContainer())
        } finally {
          process.env.LOYALTY_SCHEDULED_JOBS = scheduled
        }
        expect(await movesOf(recent.id)).toEqual([])
        expect(await runReconcileJob(getContainer(), { since: new Date(Date.now() - 9 * DAY), now: new Date() })).toMatchObject({ applied: { accruals: 1 }, failures: [] })
        expect(await account(vic.id)).toMatchObject({ points_balance: 200 })
      })
    })

    describe("negative-balance-voiding.test.ts", () => {
      const statusOf = async (id: string) => (await knex().raw(`SELECT status FROM loyalty_redemption WHERE id = ?`, [id])).rows[0].status
      const promotionStatusOf = async (code: string) => (await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({ code }))[0].status
      const entriesOf = async (customer_id: string) =>
        (await loyalty().listLoyaltyLedgerEntries({ customer_id }, { order: { seq: "ASC" }, take: null })).map((e: any) => ({ kind: e.kind, points: e.points, balance_after: e.balance_after, source_id: e.source_id }))
      const mineRedeem = async (who: Who, body: Record<string, unknown>, key: string) => {
        const res = await redeem(who, { points: 500, ...body }, key)
        expect(res.status).toBe(201)
        return res.data.redemption as { id: string; discount_code: string }
      }
      /** A cart of the member's with one 100.00 item. */
      async function openCart(who: Who) {
        const h = { headers: who.headers }
        const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc }, h)
        await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, h)
        return cart.id as string
      }
      /** An order of one 100.00 item paid in part with `code`; returns the order and the discount the cart showed. */
      async function orderWithCode(who: Who, code: string) {
        const h = { headers: who.headers }
        const cart_id = await openCart(who)
        await api.post(`/store/carts/${cart_id}`, { shipping_address: { first_name: "F", last_name: "L", address_1: "1 St", city: "Berlin", postal_code: "10115", country_code: "de" } }, h)
        const { data: { shipping_options } } = await api.get(`/store/shipping-options?cart_id=${cart_id}`, h)
        await api.post(`/store/carts/${cart_id}/shipping-methods`, { option_id: shipping_options[0].id }, h)
        const { data: applied } = await api.post(`/store/carts/${cart_id}/promotions`, { promo_codes: [code] }, h)
        const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id }, h)
        await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" }, h)
        const { data } = await api.post(`/store/carts/${cart_id}/complete`, {}, h)
        expect(data.type).toBe("order")
        return { id: data.order.id as string, discount: Number(applied.cart.discount_total) }
      }

      it("voids unused codes newest first after a refund clawback, stops once the balance is no longer negative, leaves a used code alone, and the ledger verifies", async () => {
        const eve = await member("eve-void@parity.test")
        const big = await store.placeOrder(eve, [{ price: 100, quantity: 19 }]) // 1,900.00 + 100 first-order bonus; total 1,910.00
        expect(await movesUntil(big.id, 1)).toEqual([["accrual", 2000, 0]])
        const used = await mineRedeem(eve, { region_id: store.region.id }, "eve-used")
        const kept = await mineRedeem(eve, { region_id: store.region.id }, "eve-kept")
        const second = await mineRedeem(eve, { region_id: store.region.id }, "eve-second")
        const newest = await mineRedeem(eve, { cart_id: await openCart(eve) }, "eve-newest") // applied to an open cart
        expect(await account(eve.id)).toMatchObject({ points_balance: 0 })

        // The oldest code pays for a second order and is settled by it; that order earns some points of its own.
        const small = await orderWithCode(eve, used.discount_code)
        expect(small.discount).toBe(5)
        await waitFor("the settled code", async () => (await statusOf(used.id)) === "settled")
        const earned = (await movesUntil(small.id, 1))[0][1]
        expect(earned).toBeGreaterThan(0)
        expect(earned).toBeLessThan(500) // so one voided code is not enough below
        expect(await account(eve.id)).toMatchObject({ points_balance: earned })

        // Half of 1,910.00 refunded: floor(2000 × 95500 / 191000) = 1000 points back, the balance goes below zero.
        await capture(big.id)
        await refund(big.id, 955)
        const tail = await waitFor("two voids", async () => {
          const entries = await entriesOf(eve.id)
          return entries.filter((e: any) => e.kind === "redemption_void").length >= 2 && entries.slice(-3)
        })
        expect(tail).toEqual([
          { kind: "clawback", points: -1000, balance_after: earned - 1000, source_id: expect.any(String) },
          { kind: "redemption_void", points: 500, balance_after: earned - 500, source_id: newest.id },
          { kind: "redemption_void", points: 500, balance_after: earned, source_id: second.id },
        ])
        expect(await account(eve.id)).toMatchObject({ points_balance: earned })
        expect({ used: await statusOf(used.id), kept: await statusOf(kept.id), second: await statusOf(second.id), newest: await statusOf(newest.id) })
          .toEqual({ used: "settled", kept: "reserved", second: "voided", newest: "voided" })
        await waitFor("the voided codes' promotions switched off", async () => (await promotionStatusOf(newest.discount_code)) === "inactive" && (await promotionStatusOf(second.discount_code)) === "inactive")
        expect(await promotionStatusOf(kept.discount_code)).toBe("active")
        // A voided code no longer applies to a cart.
        const cart_id = await openCart(eve)
        const { data } = await api.post(`/store/carts/${cart_id}/promotions`, { promo_codes: [second.discount_code] }, { headers: eve.headers })
        expect([(data.cart.promotions ?? []).map((p: any) => p.code), Number(data.cart.discount_total)]).toEqual([[], 0])
        expect(await verify()).toMatchObject({ ok: true, problems: [] })
      })

      it("keeps a code an order already used, even before its settlement, and leaves the balance negative when nothing else is left", async () => {
        const fay = await member("fay-void@parity.test")
        const first = await store.placeOrder(fay, [{ price: 100, quantity: 5 }]) // 500 + 100 first-order bonus
        expect(await movesUntil(first.id, 1)).toEqual([["accrual", 600, 0]])
        const code = await mineRedeem(fay, { region_id: store.region.id }, "fay-code")
        expect(await account(fay.id)).toMatchObject({ points_balance: 100 })
        // The code pays for a second order whose order.placed is held (not settled yet), and the first order is
        // canceled meanwhile: its reversal (−600) runs with the code still reserved but claimed by that order's checkout.
        const restore = lose(["order.placed"])
        let second: { id: string }
        try {
          second = await orderWithCode(fay, code.discount_code)
          await api.post(`/admin/orders/${first.id}/cancel`, {}, store.admin)
          await movesUntil(first.id, 2)
          // The reversal's own voiding and a second pass both leave the used code alone.
          expect(await loyalty().voidUnusedWhileNegative(fay.id, new Date())).toEqual([])
          expect(await statusOf(code.id)).toBe("reserved")
          expect(await account(fay.id)).toMatchObject({ points_balance: -500 })
        } finally {
          restore()
        }
        await getContainer().resolve<any>(Modules.EVENT_BUS).emit({ name: "order.placed", data: { id: second.id } })
        await waitFor("the settled code", async () => (await statusOf(code.id)) === "settled")
        expect((await entriesOf(fay.id)).filter((e: any) => e.kind === "redemption_void")).toEqual([])
        expect(Number((await getContainer().resolve<any>(Modules.PROMOTION).listPromotions({ code: code.discount_code }))[0].used)).toBe(1)
        await movesUntil(second.id, 1)
        expect(await verify()).toMatchObject({ ok: true, problems: [] })
      })
    })

    describe("negative-balance.test.ts", () => {
      it("opens the account at the first order (auto_enroll off), stops a cancel's clawback at zero and refuses an adjustment that would overdraw", async () => {
        // The store runs with auto_enroll off for this test: accounts open on first need, not at registration.
        const service = loyalty()
        const options = service.pluginOptions_
        service.pluginOptions_ = { ...options, auto_enroll: false }
        try {
          await stopAtZero(service)
        } finally {
          service.pluginOptions_ = options
        }
      })
      async function stopAtZero(service: any) {
        expect(service.pluginOptions.auto_enroll).toBe(false)
        const fin: Who = await store.registerCustomer("fin@parity.test")
        await waitFor("customer.created delivered", async () => seen["customer.created"].includes(fin.id))
        await withRules({ negative_balance: "stop_at_zero" }, async () => {
          expect(await account(fin.id)).toBeNull()
          const order = await store.placeOrder(fin, [{ price: 100, quantity: 1 }])
          await movesUntil(order.id, 1)
          expect(await summary(fin)).toMatchObject({ points_balance: 200 })
          expect((await adjust(fin.id, -150, "fin-1")).status).toBe(200)
          const refused = await adjust(fin.id, -100, "fin-2").catch(fail)
          expect([refused.status, refused.data.code]).toEqual([400, "INSUFFICIENT_POINTS"])
          await api.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
          await movesUntil(order.id, 2)
          const { data } = await api.get("/store/customers/me/loyalty/entries", { headers: fin.headers })
          expect(data.entries[0]).toMatchObject({ kind: "reversal", points: -50, balance_after: 0 })
          expect(await summary(fin)).toMatchObject({ points_balance: 0 })
        })
      }
    })

    describe("tiers-grace.test.ts", () => {
      const windowTier = (code: string, name: string, rank: number, min: number | null) => ({
        code, name, rank,
        conditions: { all: min === null ? [] : [{ fact: "member", path: "$.points_last_365d", operator: "greaterThanInclusive", value: min }] },
      })
      const windowLadder = {
        kind: "tiers",
        downgrade: { policy: "grace", grace_days: 30 },
        tiers: [windowTier("bronze", "Bronze", 0, null), windowTier("silver", "Silver", 1, 1000), windowTier("gold", "Gold", 2, 5000), windowTier("platinum", "Platinum", 3, 20000)],
      }

      it("cancels the grace when the member qualifies again before it ends", async () => {
        await withRules({}, async () => {
          const bo = await member("bo@parity.test", 5000)
          expect(await account(bo.id)).toMatchObject({ tier: "gold", tier_below_since: null })
          // 400 days on, nothing earned in 365 days: below Gold, kept through the grace that starts now.
          const later = new Date(Date.now() + 400 * DAY)
          await runTiersJob(getContainer(), later)
          const graced = await account(bo.id)
          expect([graced.tier, new Date(graced.tier_below_since).getTime()]).toEqual(["gold", later.getTime()])
          // A posting re-evaluates as of the real clock, where the member qualifies for Gold: the grace is cancelled.
          await adjust(bo.id, 5000, "bo-2")
          expect(await account(bo.id)).toMatchObject({ tier: "gold", tier_below_since: null })
          // The grace's end passes without a demotion.
          await runTiersJob(getContainer(), new Date(Date.now() + 31 * DAY))
          expect(await account(bo.id)).toMatchObject({ tier: "gold", tier_below_since: null })
        }, { "tiers.json": windowLadder })
      })
    })

  },
})
