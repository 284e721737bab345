import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import fs from "fs"
import os from "os"
import path from "path"
import { addMonths } from "../../src/core/domain/ledger/expiry"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { runExpireJob } from "../../src/workflows/jobs/expire"
import { runActivateJob } from "../../src/workflows/jobs/activate"
import { attachReferralCode } from "../../src/workflows/referrals/referral"
import { awardReferralWorkflow } from "../../src/workflows/referrals/workflows"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

const DAY = 24 * 60 * 60 * 1000
const HOUR = 60 * 60 * 1000

/**
 * This suite's own rules (the module reads LOYALTY_V2_RULES_DIR through medusa-config.ts, loaded before the runner's
 * `env` is applied, hence set here): the package's rules, the campaigns example's action rules (500 points to each
 * side of a referral), and three dated member promotions whose windows are relative to now: one open, one not
 * started yet, one over.
 */
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-campaigns-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
fs.copyFileSync(path.resolve(__dirname, "../../../examples/rulebooks/campaigns/actions.json"), path.join(rulesDir, "actions.json"))
const defaultProgram = fs.readFileSync(path.join(packageRules, "program.json"), "utf8")
const loadedAt = Date.now()
const windows = {
  OPEN10: { starts_at: new Date(loadedAt - HOUR), ends_at: new Date(loadedAt + 2 * DAY) },
  SOON10: { starts_at: new Date(loadedAt + 2 * DAY), ends_at: new Date(loadedAt + 9 * DAY) },
  OVER10: { starts_at: new Date(loadedAt - 9 * DAY), ends_at: new Date(loadedAt - 2 * DAY) },
}
fs.writeFileSync(path.join(rulesDir, "promotions.json"), JSON.stringify({
  kind: "promotions",
  promotions: Object.entries(windows).map(([code, w]) => ({
    code,
    name: `${code} dated`,
    conditions: { all: [{ fact: "member", path: "$.tier", operator: "in", value: ["bronze", "silver", "gold", "platinum"] }] },
    discount: { type: "percentage", value: 10, allocation: "total", starts_at: w.starts_at.toISOString(), ends_at: w.ends_at.toISOString() },
  })),
}, null, 2))
process.env.LOYALTY_V2_RULES_DIR = rulesDir

const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await run()
  } finally {
    timings[name] = Date.now() - start
  }
}

type Who = { id: string; headers: Record<string, string> }

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    const expiring: any[] = []
    const referralEvents: Array<{ name: string; data: any }> = []
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const knex = () => getContainer().resolve<any>(ContainerRegistrationKeys.PG_CONNECTION)
    const entryByKey = (key: string) => loyalty().findEntryByKey(key)
    const balanceOf = async (customer_id: string) => (await loyalty().findAccount(customer_id)).points_balance
    const fail = (e: any) => e.response ?? Promise.reject(e)
    const member = async (email: string): Promise<Who & { email: string }> => {
      const customer = await store.registerCustomer(email)
      await waitFor("the account", () => loyalty().findAccount(customer.id))
      return customer
    }
    const referral = (who: Who) => api.get("/store/customers/me/loyalty/referral", { headers: who.headers }).then((r: any) => r.data)
    const attach = (who: Who, body: unknown) => api.post("/store/customers/me/loyalty/referral", body, { headers: who.headers }).catch(fail)
    const referralEntries = async (customer_id: string) =>
      (await knex().raw(`SELECT idempotency_key, points, pending_delta, rule_names FROM loyalty_ledger_entry WHERE customer_id = ? AND kind = 'action' ORDER BY seq`, [customer_id])).rows
    const reloadRules = async () => (await api.post("/admin/loyalty/rules/reload", {}, store.admin)).data

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer(), [100]))
      getContainer().resolve<any>(Modules.EVENT_BUS).subscribe(
        "loyalty.points_expiring",
        async (message: any) => { expiring.push(message?.data ?? message) },
        { subscriberId: "campaigns-spec-points-expiring" }
      )
      for (const name of ["loyalty.points_earned", "loyalty.points_reversed"]) {
        getContainer().resolve<any>(Modules.EVENT_BUS).subscribe(
          name,
          async (message: any) => { referralEvents.push({ name, data: message?.data ?? message }) },
          { subscriberId: `campaigns-spec-${name}` }
        )
      }
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
      // eslint-disable-next-line no-console
      console.log(`v2 campaigns-referrals timings (ms): ${JSON.stringify(timings)}`)
    })

    describe("referrals", () => {
      it("credits the referrer and the referred member 500 each on the referred member's first order only, takes both back when that order is canceled, refuses a second attach with REFERRAL_ALREADY_ATTACHED, and one after the window or after a first order with REFERRAL_NOT_ALLOWED", async () => {
        const ann = await member("ann@referral.test")
        const bob = await member("bob@referral.test")
        const carl = await member("carl@referral.test")
        const mine = await referral(ann)
        expect(mine).toEqual({ code: expect.stringMatching(/^[2-9A-HJKMNP-Z]{8}$/), attached: null })
        expect((await referral(ann)).code).toBe(mine.code)

        const self = await attach(ann, { code: mine.code })
        expect([self.status, self.data.code, self.data.type]).toEqual([400, "REFERRAL_SELF", "not_allowed"])
        const unknown = await attach(bob, { code: "ZZZZZZZZ" })
        expect([unknown.status, unknown.data.code]).toEqual([400, "REFERRAL_CODE_UNKNOWN"])
        const bad = await attach(bob, { code: "" })
        expect([bad.status, bad.data.code]).toEqual([400, "INVALID_INPUT"])

        // Typed in lower case with a dash: the same code.
        const typed = `${mine.code.slice(0, 4).toLowerCase()}-${mine.code.slice(4)}`
        const attached = await timed("attach", () => attach(bob, { code: typed }))
        expect([attached.status, attached.data]).toEqual([201, { attached: { code: mine.code, attached_at: expect.any(String) } }])
        const carlCode = (await referral(carl)).code
        for (const code of [carlCode, mine.code]) {
          const again = await attach(bob, { code })
          expect([again.status, again.data.type, again.data.code, again.data.message]).toEqual([400, "not_allowed", "REFERRAL_ALREADY_ATTACHED", expect.stringContaining("already attached")])
        }
        expect((await referral(bob)).attached).toEqual({ code: mine.code, attached_at: attached.data.attached.attached_at })
        // Past the program's window (30 days after signing up) a code is refused; the route passes the server clock.
        const late = await attachReferralCode(getContainer(), carl.id, mine.code, new Date(Date.now() + 31 * DAY)).catch((e: any) => e)
        expect([late.code, late.message]).toEqual(["REFERRAL_NOT_ALLOWED", expect.stringContaining("within 30 days of signing up")])
        // After a first order too, and the store shows nothing attached.
        await store.placeOrder(carl, [{ price: 100, quantity: 1 }])
        const afterOrder = await attach(carl, { code: mine.code })
        expect([afterOrder.status, afterOrder.data.type, afterOrder.data.code]).toEqual([400, "not_allowed", "REFERRAL_NOT_ALLOWED"])
        expect((await referral(carl)).attached).toBeNull()

        const first = await store.placeOrder(bob, [{ price: 100, quantity: 1 }])
        const [toAnn, toBob] = await timed("both referral awards", () => waitFor("both referral awards", async () => {
          const both = await Promise.all([entryByKey(`action:referral:referrer:${bob.id}`), entryByKey(`action:referral:referred:${bob.id}`)])
          return both.every(Boolean) && both
        }))
        expect([toAnn.customer_id, toAnn.points, toAnn.rule_names]).toEqual([ann.id, 500, ["referral-referrer-500"]])
        expect([toBob.customer_id, toBob.points, toBob.rule_names]).toEqual([bob.id, 500, ["referral-friend-500"]])
        expect(await balanceOf(ann.id)).toBe(500)
        // Each side is a recorded referral action, as every earning action (GET /admin/loyalty/actions).
        const { data: annActions } = await api.get(`/admin/loyalty/actions?customer_id=${ann.id}&type=referral`, store.admin)
        expect(annActions.actions.map((a: any) => [a.reference, a.status, a.points, a.entry_id, a.properties.role, a.properties.order_id])).toEqual([
          [`referrer:${bob.id}`, "awarded", 500, toAnn.id, "referrer", first.id],
        ])
        await waitFor("the first order's accrual", () => entryByKey(`order:${first.id}:accrual`))

        // A second order earns no referral points (and a redelivery of the first writes nothing new).
        const second = await store.placeOrder(bob, [{ price: 100, quantity: 1 }])
        const secondAccrual = await waitFor("the second order's accrual", () => entryByKey(`order:${second.id}:accrual`))
        expect((await awardReferralWorkflow(getContainer()).run({ input: { order_id: second.id } })).result.entries).toEqual([])
        const redelivered = (await awardReferralWorkflow(getContainer()).run({ input: { order_id: first.id } })).result.entries
        expect(redelivered.map((e: any) => e.id).sort()).toEqual([toAnn.id, toBob.id].sort())
        expect((await referralEntries(ann.id)).length).toBe(1)
        expect((await referralEntries(bob.id)).length).toBe(1)

        await api.post(`/admin/orders/${first.id}/cancel`, {}, store.admin)
        const [backAnn, backBob] = await timed("both referral reversals", () => waitFor("both reversals", async () => {
          const both = await Promise.all([entryByKey(`action:referral:referrer:${bob.id}:reversed`), entryByKey(`action:referral:referred:${bob.id}:reversed`)])
          return both.every(Boolean) && both
        }))
        expect([backAnn.customer_id, backAnn.points, backBob.customer_id, backBob.points]).toEqual([ann.id, -500, bob.id, -500])
        await waitFor("the first order's reversal", () => entryByKey(`order:${first.id}:cancel`))
        expect(await balanceOf(ann.id)).toBe(0)
        await waitFor("the four events", async () => referralEvents.filter((e) => [ann.id, bob.id].includes(e.data.customer_id)).length >= 4)
        const ofBob = referralEvents.filter((e) => [ann.id, bob.id].includes(e.data.customer_id)).map((e) => [e.name, e.data.customer_id, e.data.points, e.data.entry_id])
        expect(ofBob.sort()).toEqual([
          ["loyalty.points_earned", ann.id, 500, toAnn.id],
          ["loyalty.points_earned", bob.id, 500, toBob.id],
          ["loyalty.points_reversed", ann.id, -500, backAnn.id],
          ["loyalty.points_reversed", bob.id, -500, backBob.id],
        ].sort())
        // Bob keeps only the second order's points: the first order's and the referral's were taken back.
        expect(await balanceOf(bob.id)).toBe(secondAccrual.points)
        expect((await api.get("/admin/loyalty/verify", store.admin)).data).toMatchObject({ ok: true, problems: [] })
      })

      it("keeps the referral awards pending like the order's points under pending_days: both become spendable once the first order went out and the period passed, and a cancel before that takes them out of pending, never out of the balance", async () => {
        fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...JSON.parse(defaultProgram), pending_days: 14 }, null, 2))
        try {
          await reloadRules()
          const referred = async (referrer: Who, email: string) => {
            const customer = await member(email)
            expect((await attach(customer, { code: (await referral(referrer)).code })).status).toBe(201)
            return customer
          }
          const dana = await member("dana@referral.test")
          const eric = await referred(dana, "eric@referral.test")
          const fay = await member("fay@referral.test")
          const gus = await referred(fay, "gus@referral.test")
          const shipped = await store.placeOrder(eric, [{ price: 100, quantity: 1 }])
          const canceled = await store.placeOrder(gus, [{ price: 100, quantity: 1 }])
          const award = await waitFor("dana's award", () => entryByKey(`action:referral:referrer:${eric.id}`))
          expect([award.points, award.pending_delta, award.details.pending]).toEqual([0, 500, { order_id: shipped.id, pending_days: 14, spendable_on: "placed", reversal_key: `action:referral:referrer:${eric.id}:reversed` }])
          await waitFor("eric's award", () => entryByKey(`action:referral:referred:${eric.id}`))
          await waitFor("fay's award", () => entryByKey(`action:referral:referrer:${gus.id}`))
          await waitFor("gus's award", () => entryByKey(`action:referral:referred:${gus.id}`))
          expect(await loyalty().findAccount(dana.id)).toMatchObject({ points_balance: 0, points_pending: 500 })

          // Gus's first order is canceled before activation: both awards come out of pending only.
          await api.post(`/admin/orders/${canceled.id}/cancel`, {}, store.admin)
          const back = await waitFor("fay's reversal", () => entryByKey(`action:referral:referrer:${gus.id}:reversed`))
          expect([back.points, back.pending_delta]).toEqual([0, -500])
          expect(await loyalty().findAccount(fay.id)).toMatchObject({ points_balance: 0, points_pending: 0 })

          // Eric's first order goes out; fourteen days later both awards are spendable, once.
          const { data: { order } } = await api.get(`/admin/orders/${shipped.id}?fields=id,*items`, store.admin)
          await api.post(`/admin/orders/${shipped.id}/fulfillments`, { items: order.items.map((i: any) => ({ id: i.id, quantity: i.quantity })) }, store.admin)
          expect((await runActivateJob(getContainer(), new Date(Date.now() + 13 * DAY))).activation.entries_posted).toBe(0)
          const later = new Date(Date.now() + 15 * DAY)
          const run = await timed("activate job with awards", () => runActivateJob(getContainer(), later))
          // Eric's order's own points and the two awards; Gus's canceled order has nothing left to activate.
          expect(run.activation.entries_posted).toBe(3)
          expect((await runActivateJob(getContainer(), later)).activation.entries_posted).toBe(0)
          for (const key of [`action:referral:referrer:${eric.id}:activation`, `action:referral:referred:${eric.id}:activation`]) {
            const activation = await entryByKey(key)
            expect([key, activation.kind, activation.points, activation.pending_delta]).toEqual([key, "activation", 500, -500])
          }
          expect(await entryByKey(`action:referral:referrer:${gus.id}:activation`)).toBeNull()
          expect(await loyalty().findAccount(dana.id)).toMatchObject({ points_balance: 500, points_pending: 0 })
          expect(await loyalty().findAccount(fay.id)).toMatchObject({ points_balance: 0, points_pending: 0 })
          expect((await api.get("/admin/loyalty/verify", store.admin)).data).toMatchObject({ ok: true, problems: [] })
        } finally {
          fs.writeFileSync(path.join(rulesDir, "program.json"), defaultProgram)
          await reloadRules()
        }
      })
    })

    describe("referrals missed by their events", () => {
      /** Takes the plugin's referral subscribers off the event bus (events "lost") until the returned function puts them back. */
      const loseReferralEvents = () => {
        const emitter = (getContainer().resolve<any>(Modules.EVENT_BUS) as any).eventEmitter_
        const taken: Array<[string, (...a: unknown[]) => unknown]> = []
        for (const event of ["order.placed", "order.canceled"]) {
          for (const listener of emitter.listeners(event)) {
            if (String(listener.subscriberId ?? "").endsWith("-referral")) {
              emitter.off(event, listener)
              taken.push([event, listener])
            }
          }
        }
        expect(taken.length).toBe(2)
        return () => taken.forEach(([event, listener]) => emitter.on(event, listener))
      }

      it("awards a first order's referral through reconcile when order.placed was lost and takes it back when order.canceled was lost, once each", async () => {
        const since = new Date(Date.now() - HOUR)
        const hal = await member("hal@referral.test")
        const ida = await member("ida@referral.test")
        expect((await attach(ida, { code: (await referral(hal)).code })).status).toBe(201)
        const restore = loseReferralEvents()
        try {
          const order = await store.placeOrder(ida, [{ price: 100, quantity: 1 }])
          await waitFor("the accrual", () => entryByKey(`order:${order.id}:accrual`))
          expect(await entryByKey(`action:referral:referrer:${ida.id}`)).toBeNull()
          const { runReconcileJob } = await import("../../src/workflows/jobs/reconcile")
          const run = await timed("reconcile with referrals", () => runReconcileJob(getContainer(), { since, now: new Date() }))
          expect(run.referrals).toEqual({ awarded: 2, reversed: 0 })
          expect((await runReconcileJob(getContainer(), { since, now: new Date() })).referrals).toEqual({ awarded: 0, reversed: 0 })
          expect(await balanceOf(hal.id)).toBe(500)

          await api.post(`/admin/orders/${order.id}/cancel`, {}, store.admin)
          await waitFor("the order's reversal", () => entryByKey(`order:${order.id}:cancel`))
          expect(await entryByKey(`action:referral:referrer:${ida.id}:reversed`)).toBeNull()
          const later = { since, now: new Date(Date.now() + 60_000) }
          expect((await runReconcileJob(getContainer(), later)).referrals).toEqual({ awarded: 0, reversed: 2 })
          expect((await runReconcileJob(getContainer(), later)).referrals).toEqual({ awarded: 0, reversed: 0 })
          expect(await balanceOf(hal.id)).toBe(0)
        } finally {
          restore()
        }
      })
    })

    describe("dated member promotions", () => {
      it("reconciles a dated promotion into a v2 campaign with the same window, and a real cart takes its code only inside the window", async () => {
        const customer = await member("dated@campaigns.test")
        const { data: reconciled } = await timed("reconcile", () => api.post("/admin/loyalty/promotions/reconcile", {}, store.admin))
        expect(reconciled).toMatchObject({ created: ["OPEN10", "SOON10", "OVER10"], pending: [], conflicts: [], failed: [] })
        const promotions = getContainer().resolve<any>(Modules.PROMOTION)
        for (const [code, w] of Object.entries(windows)) {
          const [promotion] = await promotions.listPromotions({ code }, { relations: ["campaign"] })
          expect([code, promotion.status, promotion.campaign?.campaign_identifier]).toEqual([code, "active", `loyalty-promotion:${code}`])
          expect([new Date(promotion.campaign.starts_at).getTime(), new Date(promotion.campaign.ends_at).getTime()]).toEqual([w.starts_at.getTime(), w.ends_at.getTime()])
        }
        const { data: again } = await api.post("/admin/loyalty/promotions/reconcile", {}, store.admin)
        expect(again).toMatchObject({ created: [], updated: [], unchanged: ["OPEN10", "SOON10", "OVER10"] })

        const cartWith = async (code: string) => {
          const h = { headers: customer.headers }
          const { data: { cart } } = await api.post("/store/carts", { region_id: store.region.id, sales_channel_id: store.sc }, h)
          await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: await store.variantAt(100), quantity: 1 }, h)
          const { data } = await api.post(`/store/carts/${cart.id}/promotions`, { promo_codes: [code] }, h)
          return { codes: (data.cart.promotions ?? []).map((p: { code: string }) => p.code), discount: Number(data.cart.discount_total) }
        }
        expect(await timed("cart inside the window", () => cartWith("OPEN10"))).toEqual({ codes: ["OPEN10"], discount: 10 })
        expect(await cartWith("SOON10")).toEqual({ codes: [], discount: 0 })
        expect(await cartWith("OVER10")).toEqual({ codes: [], discount: 0 })
        const { data: mine } = await api.get("/store/customers/me/loyalty/promotions", { headers: customer.headers })
        expect(mine.promotions.map((p: { code: string; starts_at: string }) => [p.code, p.starts_at])).toEqual([["OPEN10", windows.OPEN10.starts_at.toISOString()]])
      })
    })

    describe("expiry reminders", () => {
      it("emits loyalty.points_expiring once per member and expiry date however often the expire job runs, expiry_reminder_days before", async () => {
        const customer = await member("remind@campaigns.test")
        const order = await store.placeOrder(customer, [{ price: 100, quantity: 1 }])
        const accrual = await waitFor("the accrual", () => entryByKey(`order:${order.id}:accrual`))
        expect(accrual.points).toBeGreaterThan(0)
        const expires_at = addMonths(new Date(accrual.created_at), 12)
        // Twenty days before: outside the default 14-day reminder window, nothing is sent.
        expect((await runExpireJob(getContainer(), new Date(expires_at.getTime() - 20 * DAY))).reminders).toEqual({ enabled: true, accounts_checked: 1, emitted: 0 })
        const now = new Date(expires_at.getTime() - 5 * DAY)
        const first = await timed("expire job with a reminder", () => runExpireJob(getContainer(), now))
        const again = await runExpireJob(getContainer(), now)
        const dayLater = await runExpireJob(getContainer(), new Date(now.getTime() + DAY))
        expect([first.reminders, again.reminders, dayLater.reminders]).toEqual([
          { enabled: true, accounts_checked: 1, emitted: 1 },
          { enabled: true, accounts_checked: 1, emitted: 0 },
          { enabled: true, accounts_checked: 1, emitted: 0 },
        ])
        expect(first.expiry.points_expired).toBe(0)
        await waitFor("the reminder event", async () => expiring.some((e) => e.customer_id === customer.id))
        await new Promise((r) => setTimeout(r, 1000))
        expect(expiring.filter((e) => e.customer_id === customer.id)).toEqual([{
          customer_id: customer.id, points: accrual.points, expires_at: expires_at.toISOString(), expires_on: expires_at.toISOString().slice(0, 10),
          days_left: 5, balance: accrual.points,
        }])
        const { rows } = await knex().raw(`SELECT expires_on::text AS expires_on, points FROM loyalty_expiry_reminder WHERE customer_id = ?`, [customer.id])
        expect(rows).toEqual([{ expires_on: expires_at.toISOString().slice(0, 10), points: accrual.points }])
        const route = (await api.post("/admin/loyalty/jobs/expire", {}, store.admin)).data
        expect(route.reminders).toEqual({ enabled: true, accounts_checked: 1, emitted: 0 })
      })
    })
  },
})
