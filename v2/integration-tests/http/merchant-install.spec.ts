import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import fs from "fs"
import os from "os"
import path from "path"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * What a merchant meets right after installing the plugin by the README: the app boots with its own rules directory
 * (the package's rules plus one member promotion of its own) and the start-up promotions reconcile on. Both are read
 * while medusa-config.ts loads, before the runner's `env` is applied, hence set here (integration-tests/setup.js turns
 * the start-up reconcile off for the other suites, which reconcile by hand).
 */
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-install-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
const INSTALL_CODE = "WELCOME7"
const promotionsFile = JSON.parse(fs.readFileSync(path.join(rulesDir, "promotions.json"), "utf8"))
promotionsFile.promotions = [{
  code: INSTALL_CODE,
  name: "Welcome 7 % off",
  conditions: { all: [{ fact: "member", path: "$.tier", operator: "in", value: ["bronze", "silver", "gold", "platinum"] }] },
  discount: { type: "percentage", value: 7, allocation: "total" },
}]
fs.writeFileSync(path.join(rulesDir, "promotions.json"), JSON.stringify(promotionsFile, null, 2))
process.env.LOYALTY_V2_RULES_DIR = rulesDir
process.env.LOYALTY_RECONCILE_PROMOTIONS_AT_BOOT = "on"

/** The rules directory's files as the admin's candidate editor sends them, with accrual.json edited by `edit`. */
const candidateFiles = (edit: (accrual: any) => void) =>
  fs.readdirSync(rulesDir).filter((n) => n.endsWith(".json")).sort().map((name) => {
    const content = fs.readFileSync(path.join(rulesDir, name), "utf8")
    if (name !== "accrual.json") return { name, content }
    const accrual = JSON.parse(content)
    edit(accrual)
    return { name, content: JSON.stringify(accrual, null, 2) }
  })

const timings: Record<string, number> = {}

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    let listedAtStart: Array<Record<string, any>> = []

    beforeAll(async () => {
      const start = Date.now()
      store = await createStore(api, getContainer())
      // The start-up reconcile runs a few seconds after boot: wait for it here, before the runner snapshots the
      // database after this hook (every later test starts from that snapshot).
      listedAtStart = await waitFor("the member promotion reconciled at start-up", async () => {
        const { data } = await api.get("/admin/loyalty/promotions", store.admin)
        const own = data.promotions.find((p: { code: string; status: string }) => p.code === INSTALL_CODE && p.status === "active")
        return own ? data.promotions : null
      }, 240_000)
      timings["boot reconcile seen"] = Date.now() - start
    })

    afterAll(() => {
      // eslint-disable-next-line no-console
      console.log(`v2 merchant-install timings (ms): ${JSON.stringify(timings)}`)
    })

    describe("start-up", () => {
      it("lists the rules directory's member promotion as active with its v2 promotion, restricted to its group, without any reconcile call", async () => {
        expect(listedAtStart.map((p) => [p.code, p.status])).toEqual([[INSTALL_CODE, "active"]])
        const [own] = listedAtStart
        expect(own).toMatchObject({ promotion_id: expect.any(String), customer_group_id: expect.any(String) })
        const promotion = await getContainer().resolve<any>(Modules.PROMOTION).retrievePromotion(own.promotion_id, { relations: ["rules", "rules.values", "application_method"] })
        expect([promotion.code, promotion.status, Number(promotion.application_method.value)]).toEqual([INSTALL_CODE, "active", 7])
        expect(promotion.rules.map((r: any) => [r.attribute, r.values.map((v: any) => v.value)])).toEqual([["customer.groups.id", [own.customer_group_id]]])
        // The admin's reconcile afterwards finds nothing to do: the start-up run already did it.
        const { data } = await api.post("/admin/loyalty/promotions/reconcile", {}, store.admin)
        expect(data).toMatchObject({ created: [], updated: [], unchanged: [INSTALL_CODE], failed: [] })
      })
    })

    describe("hostile input", () => {
      const expectRefused = async (what: string, request: Promise<any>, field: string) => {
        const res = await request.catch((e: any) => e.response)
        expect([what, res.status]).toEqual([what, 400])
        expect(res.data).toEqual({ type: "invalid_data", code: "INVALID_INPUT", message: expect.stringContaining(field) })
      }

      it("answers 400 INVALID_INPUT naming the field to a NUL character in the query, path or body of admin and store routes, and writes nothing", async () => {
        const customer = await store.registerCustomer("nul@install.test")
        await waitFor("the member's account", () => getContainer().resolve<any>(LOYALTY_MODULE).findAccount(customer.id))
        const admin = store.admin
        await expectRefused("accounts ?q=NUL", api.get("/admin/loyalty/accounts?q=%00", admin), "query.q")
        await expectRefused("accounts ?q=a NUL in a word", api.get("/admin/loyalty/accounts?q=ann%00a", admin), "query.q")
        await expectRefused("account path", api.get(`/admin/loyalty/accounts/${customer.id}%00`, admin), "path")
        await expectRefused("entries path", api.get(`/admin/loyalty/accounts/cus_%00/entries`, admin), "path")
        await expectRefused("explain path", api.get(`/admin/loyalty/entries/lent_%00/explain`, admin), "path")
        await expectRefused("adjustment body", api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, { points: 5, reason: "bad\u0000reason" },
          { headers: { ...admin.headers, "idempotency-key": "nul-adjustment" } }), "body.reason")
        await expectRefused("simulate body", api.post("/admin/loyalty/simulate", { order: { subtotal: 100, currency_code: "e\u0000ur" } }, admin), "body.order.currency_code")
        await expectRefused("validate body", api.post("/admin/loyalty/rules/validate", { files: [{ name: "accrual.json", content: "{\u0000}" }] }, admin), "body.files.0.content")
        await expectRefused("promotions reconcile body key", api.post("/admin/loyalty/promotions/reconcile", { "a\u0000": 1 }, admin), "body (a key)")
        await expectRefused("repeated query parameter", api.get("/admin/loyalty/accounts?limit=1&limit=2", admin), "query.limit")
        const member = { headers: customer.headers }
        await expectRefused("member entries query", api.get("/store/customers/me/loyalty/entries?limit=%00", member), "query.limit")
        await expectRefused("public tiers query", api.get("/store/loyalty/tiers?x=%00", { headers: store.pk }), "query.x")

        const { data } = await api.get(`/admin/loyalty/accounts/${customer.id}/entries`, admin)
        expect(data.entries.filter((e: { kind: string }) => e.kind === "adjustment")).toEqual([])
        // The same routes still answer ordinary input.
        expect((await api.get("/admin/loyalty/accounts?q=nul", admin)).status).toBe(200)
      })
    })

    describe("simulate a candidate", () => {
      const facts = { order: { subtotal: 5000 }, customer: { orders_count: 3 } }

      it("evaluates the candidate files when given (the live rulebook otherwise) and refuses an invalid candidate with its file and JSON pointer, leaving the live rulebook as it was", async () => {
        const admin = store.admin
        const liveVersion = (await api.get("/admin/loyalty/rules", admin)).data.rules.version
        const live = (await api.post("/admin/loyalty/simulate", facts, admin)).data
        expect(live).toMatchObject({ points: 50, rule_names: ["base-earn"], rulebook_version: liveVersion })

        const tripled = candidateFiles((a) => { a.rules.find((r: any) => r.name === "base-earn").event.params.points = 3 })
        const candidate = (await api.post("/admin/loyalty/simulate", { ...facts, files: tripled }, admin)).data
        expect(candidate).toMatchObject({ points: 150, amount_points: 150, rule_names: ["base-earn"] })
        expect(candidate.rulebook_version).not.toBe(liveVersion)
        // The map form the backtest also takes.
        const asMap = Object.fromEntries(tripled.map((f) => [f.name, JSON.parse(f.content)]))
        expect((await api.post("/admin/loyalty/simulate", { ...facts, files: asMap }, admin)).data).toMatchObject({ points: 150 })

        const broken = candidateFiles((a) => { a.rules.find((r: any) => r.name === "base-earn").event.params.points = "three" })
        const refused = await api.post("/admin/loyalty/simulate", { ...facts, files: broken }, admin).catch((e: any) => e.response)
        expect(refused.status).toBe(400)
        expect(refused.data).toMatchObject({ type: "invalid_data", code: "RULES_INVALID", message: expect.stringContaining("nothing was evaluated") })
        expect(refused.data.issues).toEqual(expect.arrayContaining([expect.objectContaining({ file: "accrual.json", pointer: expect.stringMatching(/^\/rules\/0/) })]))
        const malformed = await api.post("/admin/loyalty/simulate", { ...facts, files: [{ name: "a/b.json" }] }, admin).catch((e: any) => e.response)
        expect([malformed.status, malformed.data.code]).toEqual([400, "INVALID_INPUT"])

        expect((await api.get("/admin/loyalty/rules", admin)).data.rules.version).toBe(liveVersion)
        expect((await api.post("/admin/loyalty/simulate", facts, admin)).data).toMatchObject({ points: 50, rulebook_version: liveVersion })
      })
    })
  },
})
