import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import fs from "fs"
import os from "os"
import path from "path"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { reportSignup, runBirthdaysJob } from "../../src/workflows/actions/report"
import loyaltyJobsScript from "../../src/scripts/loyalty-jobs"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * This suite's own rules (read through LOYALTY_V2_RULES_DIR by medusa-config.ts, hence set before the app boots): the
 * package's rules, the store's calendar in New York, and action rules — signup 100, birthday 200, a review 50 at
 * most twice a store-local day, a social follow 30 once per member, ever.
 */
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-actions-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
const program = JSON.parse(fs.readFileSync(path.join(packageRules, "program.json"), "utf8"))
fs.writeFileSync(path.join(rulesDir, "program.json"), JSON.stringify({ ...program, timezone: "America/New_York" }, null, 2))
const onType = (type: string) => ({ all: [{ fact: "action", path: "$.type", operator: "equal", value: type }] })
fs.writeFileSync(path.join(rulesDir, "actions.json"), JSON.stringify({
  kind: "actions",
  rules: [
    { name: "signup-100", conditions: onType("signup"), event: { type: "award_points", params: { points: 100 } } },
    { name: "birthday-200", conditions: onType("birthday"), event: { type: "award_points", params: { points: 200 } } },
    { name: "review-50", conditions: onType("review"), event: { type: "award_points", params: { points: 50 } }, limits: { per_day: 2 } },
    { name: "follow-30", conditions: onType("social_follow"), event: { type: "award_points", params: { points: 30 } }, limits: { lifetime: 1 } },
  ],
}, null, 2))
process.env.LOYALTY_V2_RULES_DIR = rulesDir

const DAY = 24 * 60 * 60 * 1000

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
    const entriesOf = (customer_id: string) =>
      loyalty().listLoyaltyLedgerEntries({ customer_id, kind: "action" }, { order: { seq: "ASC" }, take: null })
    const keysOf = async (customer_id: string) => (await entriesOf(customer_id)).map((e: any) => [e.idempotency_key, e.points])
    const report = (body: Record<string, unknown>, headers = store.admin) =>
      api.post("/admin/loyalty/actions", body, headers).catch((e: any) => e.response)
    /** A registered customer whose signup award has landed (customer.created is handled asynchronously). */
    const member = async (email: string) => {
      const customer = await store.registerCustomer(email)
      await waitFor(`${email}'s signup entry`, async () => (await entriesOf(customer.id)).length > 0)
      return customer
    }

    beforeAll(async () => {
      store = await timed("store setup", () => createStore(api, getContainer()))
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
      // eslint-disable-next-line no-console
      console.log(`v2 actions timings (ms): ${JSON.stringify(timings)}`)
    })

    describe("signup", () => {
      it("credits a registered customer once, whatever the redeliveries, and a guest never", async () => {
        const guest = (await api.post("/admin/customers", { email: "guest@actions.test" }, store.admin)).data.customer
        const ann = await timed("signup", () => member("ann@actions.test"))
        expect(await keysOf(ann.id)).toEqual([[`action:signup:${ann.id}`, 100]])
        // A redelivered customer.created replays the first outcome and writes nothing.
        const again = await reportSignup(getContainer(), ann.id)
        expect(again).toMatchObject({ replayed: true, action: { type: "signup", reference: ann.id, status: "awarded", points: 100 } })
        expect(await keysOf(ann.id)).toEqual([[`action:signup:${ann.id}`, 100]])
        expect((await loyalty().findAccount(ann.id)).points_balance).toBe(100)
        // The guest was created before Ann: their customer.created has been handled too, and earned nothing.
        expect(await reportSignup(getContainer(), guest.id)).toBeNull()
        expect(await entriesOf(guest.id)).toEqual([])
        const forGuest = await report({ customer_id: guest.id, type: "review", reference: "guest-review" })
        expect([forGuest.status, forGuest.data.code]).toEqual([400, "ACTION_NOT_ALLOWED"])
      })
    })

    describe("custom actions", () => {
      it("credits a review once per reference: five concurrent reports write one entry, a replay answers it, other data is a 422; the entry verifies and explains", async () => {
        const ann = await member("reviews@actions.test")
        const body = { customer_id: ann.id, type: "review", reference: "review_1", occurred_at: "2026-11-02T15:00:00Z", properties: { rating: 5 } }
        const answers = await timed("five concurrent reports", () => Promise.all(Array.from({ length: 5 }, () => report(body))))
        expect(answers.map((a: any) => a.status).sort()).toEqual([200, 200, 200, 200, 201])
        const entries = await entriesOf(ann.id)
        const review = entries.filter((e: any) => e.idempotency_key === "action:review:review_1")
        expect(review).toHaveLength(1)
        expect(review[0]).toMatchObject({ points: 50, rule_names: ["review-50"] })
        for (const a of answers) {
          expect(a.data).toMatchObject({ action: { status: "awarded", points: 50, type: "review", reference: "review_1" }, entry: { id: review[0].id, kind: "action", points: 50 } })
        }
        expect(answers.filter((a: any) => a.data.replayed)).toHaveLength(4)
        const conflict = await report({ ...body, properties: { rating: 1 } })
        expect([conflict.status, conflict.data.type, conflict.data.code]).toEqual([422, "duplicate_error", "IDEMPOTENCY_CONFLICT"])
        const otherCustomer = await report({ ...body, customer_id: (await member("other@actions.test")).id })
        expect([otherCustomer.status, otherCustomer.data.code]).toEqual([422, "IDEMPOTENCY_CONFLICT"])
        expect((await entriesOf(ann.id)).filter((e: any) => e.idempotency_key === "action:review:review_1")).toHaveLength(1)
        expect((await loyalty().findAccount(ann.id)).points_balance).toBe(150)
        // An action entry is a credit like any other: the ledger verifies, and the entry explains itself.
        expect((await api.get("/admin/loyalty/verify", store.admin)).data.ok).toBe(true)
        const explained = (await api.get(`/admin/loyalty/entries/${review[0].id}/explain`, store.admin)).data
        expect(explained.rules_fired).toEqual([{ name: "review-50", type: "award_points", contribution: 50 }])
        expect(explained.facts).toMatchObject({ action: { type: "review", reference: "review_1", local_date: "2026-11-02" }, member: { customer_id: ann.id } })
        expect(explained.rulebook.files.map((f: { name: string }) => f.name)).toContain("actions.json")
      })

      it("refuses past the per-day limit in the store's calendar and the lifetime limit, with the reason in the answer and no entry", async () => {
        const bob = await member("limits@actions.test")
        const review = (n: number, occurred_at: string) => report({ customer_id: bob.id, type: "review", reference: `bob_${n}`, occurred_at })
        expect((await review(1, "2026-11-02T15:00:00Z")).data.action.status).toBe("awarded")
        expect((await review(2, "2026-11-02T20:00:00Z")).data.action.status).toBe("awarded")
        // 03:00Z on 3 November is still 2 November in New York: the third of that day.
        const third = await review(3, "2026-11-03T03:00:00Z")
        expect(third.status).toBe(201)
        expect(third.data).toMatchObject({
          entry: null, replayed: false,
          action: { status: "refused", points: 0, reasons: [{ rule: "review-50", limit: "per_day", max: 2, period: "2026-11-02", message: expect.stringMatching(/at most 2 times a day/) }] },
        })
        expect((await review(4, "2026-11-03T15:00:00Z")).data).toMatchObject({ action: { status: "awarded" }, entry: { points: 50 } })
        const follow = (ref: string) => report({ customer_id: bob.id, type: "social_follow", reference: ref })
        expect((await follow("instagram")).data).toMatchObject({ action: { status: "awarded", points: 30 } })
        expect((await follow("tiktok")).data).toMatchObject({ entry: null, action: { status: "refused", reasons: [{ rule: "follow-30", limit: "lifetime", max: 1, period: "lifetime" }] } })
        // A type no rule applies to is recorded as no_rule.
        expect((await report({ customer_id: bob.id, type: "newsletter", reference: "n1" })).data).toMatchObject({ entry: null, action: { status: "no_rule" } })
        expect((await keysOf(bob.id)).map(([key]: [string]) => key)).toEqual([
          `action:signup:${bob.id}`, "action:review:bob_1", "action:review:bob_2", "action:review:bob_4", "action:social_follow:instagram",
        ])
        expect((await loyalty().findAccount(bob.id)).points_balance).toBe(100 + 3 * 50 + 30)
        const listed = (await api.get(`/admin/loyalty/actions?customer_id=${bob.id}&type=review&limit=2`, store.admin)).data
        expect(listed).toMatchObject({ count: 4, limit: 2, offset: 0, actions: [{ reference: "bob_4", status: "awarded" }, { reference: "bob_3", status: "refused" }] })
        expect((await api.get("/admin/loyalty/verify", store.admin)).data.ok).toBe(true)
      })

      it("answers bad input with a 4xx naming the problem, never a 500", async () => {
        const cleo = await member("input@actions.test")
        const cases: Array<[Record<string, unknown>, number, string]> = [
          [{ customer_id: cleo.id, type: "birthday", reference: "x" }, 400, "INVALID_INPUT"],
          [{ customer_id: cleo.id, type: "Review!", reference: "x" }, 400, "INVALID_INPUT"],
          [{ customer_id: cleo.id, type: "review", reference: "" }, 400, "INVALID_INPUT"],
          [{ customer_id: cleo.id, type: "review", reference: "x", occurred_at: "yesterday" }, 400, "INVALID_INPUT"],
          [{ customer_id: cleo.id, type: "review", reference: "x", properties: { nested: { a: 1 } } }, 400, "INVALID_INPUT"],
          [{ customer_id: cleo.id, type: "review", reference: "x", points: 1000 }, 400, "INVALID_INPUT"],
          [{ customer_id: "cus_nobody", type: "review", reference: "x" }, 404, "NOT_FOUND"],
        ]
        for (const [body, status, code] of cases) {
          const res = await report(body)
          expect([JSON.stringify(body), res.status, res.data.code, typeof res.data.message]).toEqual([JSON.stringify(body), status, code, "string"])
        }
        expect((await report({ customer_id: cleo.id, type: "birthday", reference: "x" })).data.message).toMatch(/awarded by the plugin itself/)
        expect((await report({ customer_id: cleo.id, type: "review", reference: "x" }, { headers: store.pk })).status).toBe(401)
        expect((await api.get("/admin/loyalty/actions?limit=0", store.admin).catch((e: any) => e.response)).status).toBe(400)
        expect((await api.post("/admin/loyalty/jobs/birthdays", { now: "2027-01-01" }, store.admin).catch((e: any) => e.response)).status).toBe(400)
        expect(await keysOf(cleo.id)).toEqual([[`action:signup:${cleo.id}`, 100]])
      })
    })

    describe("birthdays", () => {
      it("credits a birthday once per year on the store-local day, and nothing for a birthday changed in the last 30 days", async () => {
        const dana = await member("dana@actions.test")
        expect((await api.post(`/admin/customers/${dana.id}`, { metadata: { birthday: "1990-03-15" } }, store.admin)).status).toBe(200)
        const changedAt: Date = await waitFor("dana's birthday change", async () => (await loyalty().lastBirthdayChanges([dana.id])).get(dana.id))
        // An update of another field records no change.
        await api.post(`/admin/customers/${dana.id}`, { first_name: "Dana" }, store.admin)
        const year = changedAt.getUTCFullYear() + 1
        const birthdays = (now: string) => runBirthdaysJob(getContainer(), new Date(now))
        // 03:00Z on 15 March is still 14 March in New York: not yet.
        expect(await birthdays(`${year}-03-15T03:00:00Z`)).toMatchObject({ local_date: `${year}-03-14`, candidates: 0, awarded: 0 })
        expect(await timed("birthdays job", () => birthdays(`${year}-03-15T15:00:00Z`))).toMatchObject({ local_date: `${year}-03-15`, candidates: 1, awarded: 1, failed: 0 })
        // Later the same local day (23:00 on the 15th in New York): already awarded.
        expect(await birthdays(`${year}-03-16T03:00:00Z`)).toMatchObject({ local_date: `${year}-03-15`, candidates: 1, awarded: 0, already: 1 })
        expect(await birthdays(`${year + 1}-03-15T15:00:00Z`)).toMatchObject({ awarded: 1 })
        expect((await keysOf(dana.id)).filter(([k]: [string]) => k.startsWith("action:birthday:"))).toEqual([
          [`action:birthday:${dana.id}:${year}`, 200], [`action:birthday:${dana.id}:${year + 1}`, 200],
        ])

        // Eli sets a birthday ten days ahead: on that day it was changed within 30 days, so nothing; a year later, 200.
        const eli = await member("eli@actions.test")
        const soon = new Date(Date.now() + 10 * DAY)
        const md = soon.toISOString().slice(5, 10)
        await api.post(`/admin/customers/${eli.id}`, { metadata: { birthday: md } }, store.admin)
        await waitFor("eli's birthday change", async () => (await loyalty().lastBirthdayChanges([eli.id])).get(eli.id))
        const onDay = `${soon.toISOString().slice(0, 10)}T17:00:00Z`
        expect(await birthdays(onDay)).toMatchObject({ candidates: 1, recent_change: 1, awarded: 0 })
        expect((await keysOf(eli.id)).filter(([k]: [string]) => k.startsWith("action:birthday:"))).toEqual([])
        const nextYear = `${Number(onDay.slice(0, 4)) + 1}${onDay.slice(4)}`
        expect(await birthdays(nextYear)).toMatchObject({ awarded: 1 })
        expect((await keysOf(eli.id)).filter(([k]: [string]) => k.startsWith("action:birthday:"))).toEqual([[`action:birthday:${eli.id}:${nextYear.slice(0, 4)}`, 200]])
        expect((await api.get("/admin/loyalty/verify", store.admin)).data.ok).toBe(true)
      })

      it("runs from the admin route (server clock, v1's shape) and the medusa exec script (--now)", async () => {
        const fay = await member("fay@actions.test")
        await api.post(`/admin/customers/${fay.id}`, { metadata: { birthday: "07-04" } }, store.admin)
        await waitFor("fay's birthday change", async () => (await loyalty().lastBirthdayChanges([fay.id])).get(fay.id))
        const run = (await api.post("/admin/loyalty/jobs/birthdays", {}, store.admin)).data
        expect(Object.keys(run.birthdays).sort()).toEqual(["already", "awarded", "candidates", "failed", "local_date", "no_rule", "recent_change", "refused"])
        expect(run.birthdays.local_date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
        expect((await api.post("/admin/loyalty/jobs/birthdays", {}, { headers: store.pk }).catch((e: any) => e.response)).status).toBe(401)
        const year = new Date().getUTCFullYear() + 1
        const log = jest.spyOn(console, "log").mockImplementation(() => undefined)
        try {
          const out: any = await loyaltyJobsScript({ container: getContainer(), args: ["birthdays", "--now", `${year}-07-04T16:00:00Z`] } as any)
          expect(out.birthdays).toMatchObject({ local_date: `${year}-07-04`, candidates: 1, awarded: 1, failed: 0 })
        } finally {
          log.mockRestore()
        }
        expect(await keysOf(fay.id)).toContainEqual([`action:birthday:${fay.id}:${year}`, 200])
      })
    })
  },
})
