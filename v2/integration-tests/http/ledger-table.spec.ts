import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import fs from "fs"
import os from "os"
import path from "path"
import { runActivateJob } from "../../src/workflows/jobs/activate"
import { runExpireJob } from "../../src/workflows/jobs/expire"
import { runTiersJob } from "../../src/workflows/jobs/tiers"
import { LOYALTY_MODULE } from "../../src/modules/loyalty"
import { accrueOrderWorkflow, reverseOrderWorkflow } from "../../src/workflows/order-points/workflows"
import { createStore, waitFor } from "./store"

jest.setTimeout(600_000)

/**
 * The v2 half of the ledger table: tests/fixtures/ledger-table.json lists, step by step, the entries (kind, points,
 * pending, balance, key, reason) and the account a member must have after cancels, refunds, adjustments,
 * redemptions, expiry, activation and tier moves. Here a real Medusa 2.21 app plays it over HTTP; the root's
 * tests/integration/ledger-table.test.ts plays the same table on a real Medusa 1.20 store.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { ledgerTable, playScenario, tablePrices } = require("../../../tests/helpers/ledger-table")
const table: { scenarios: Array<{ name: string }> } = ledgerTable()

// The suite's own copy of the package's rules (the module reads LOYALTY_V2_RULES_DIR through medusa-config.ts, loaded
// before the runner's `env` is applied, hence set here): a scenario writes its program.json and reloads the rules.
const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-table-rules-"))
const packageRules = path.resolve(__dirname, "../../rules")
for (const name of fs.readdirSync(packageRules)) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(packageRules, name), path.join(rulesDir, name))
}
process.env.LOYALTY_V2_RULES_DIR = rulesDir

const JOBS = { expire: runExpireJob, activate: runActivateJob, tiers: runTiersJob }
/** An axios answer, or the error answer axios throws for a 4xx, as { status, body }. */
const answerOf = (call: Promise<any>) =>
  call.then((r) => ({ status: r.status, body: r.data }), (e) => {
    if (!e.response) throw e
    return { status: e.response.status, body: e.response.data }
  })

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    let store: Awaited<ReturnType<typeof createStore>>
    let members = 0
    const loyalty = () => getContainer().resolve<any>(LOYALTY_MODULE)
    const query = () => getContainer().resolve<any>(ContainerRegistrationKeys.QUERY)
    const refundIds = async (payment_id: string): Promise<string[]> => {
      const { data } = await query().graph({ entity: "payment", fields: ["id", "refunds.id"], filters: { id: payment_id } })
      return (data[0]?.refunds ?? []).map((r: { id: string }) => r.id)
    }

    beforeAll(async () => {
      store = await createStore(api, getContainer(), tablePrices())
    })

    afterAll(() => {
      fs.rmSync(rulesDir, { recursive: true, force: true })
    })

    const member = async () => {
      const customer = await store.registerCustomer(`member-${++members}@table.test`)
      await waitFor("the account", () => loyalty().findAccount(customer.id))
      const asMember = { headers: customer.headers }
      return {
        id: customer.id,
        place: async (items: Array<{ price: number; quantity: number }>) => (await store.placeOrder(customer, items)).id,
        cancel: async (order_id: string) => void (await api.post(`/admin/orders/${order_id}/cancel`, {}, store.admin)),
        // An order whose events are not delivered (created in the order module: no order.placed); the cancel's
        // workflow runs before order.placed's.
        cancelBeforePlaced: async (items: Array<{ price: number; quantity: number }>) => {
          const [order] = await getContainer().resolve<any>(Modules.ORDER).createOrders([{
            currency_code: "eur", customer_id: customer.id, email: customer.email, region_id: store.region.id,
            items: items.map((i) => ({ title: `Item at ${i.price}`, quantity: i.quantity, unit_price: i.price })),
          }])
          await reverseOrderWorkflow(getContainer()).run({ input: { order_id: order.id } })
          await accrueOrderWorkflow(getContainer()).run({ input: { order_id: order.id } })
          return order.id
        },
        capture: async (order_id: string) => void (await api.post(`/admin/payments/${await store.paymentOf(order_id)}/capture`, {}, store.admin)),
        refund: async (order_id: string, amount_minor: number, reason: string) => {
          const payment = await store.paymentOf(order_id)
          const before = await refundIds(payment)
          await api.post(`/admin/payments/${payment}/refund`, { amount: amount_minor / 100, note: reason }, store.admin)
          return (await refundIds(payment)).find((id) => !before.includes(id))
        },
        fulfill: async (order_id: string) => {
          const { data: { order } } = await api.get(`/admin/orders/${order_id}?fields=id,*items`, store.admin)
          await api.post(`/admin/orders/${order_id}/fulfillments`, { items: order.items.map((i: any) => ({ id: i.id, quantity: i.quantity })) }, store.admin)
        },
        adjust: (key: string, body: unknown) =>
          answerOf(api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, body, { headers: { ...store.admin.headers, "idempotency-key": key } })),
        redeem: (key: string, points: number) =>
          answerOf(api.post("/store/customers/me/loyalty/redemptions", { points, region_id: store.region.id }, { headers: { ...customer.headers, "idempotency-key": key } })),
        entries: () => loyalty().listLoyaltyLedgerEntries({ customer_id: customer.id }, { order: { seq: "ASC" }, take: null }),
        account: async () => (await api.get("/store/customers/me/loyalty", asMember)).data.loyalty_account,
      }
    }

    const adapter = {
      setProgram: async (program_json: string) => {
        fs.writeFileSync(path.join(rulesDir, "program.json"), program_json)
        await api.post("/admin/loyalty/rules/reload", {}, store.admin)
      },
      runJob: (job: keyof typeof JOBS, now: Date) => JOBS[job](getContainer(), now),
      waitFor: (what: string, probe: () => Promise<unknown>) => waitFor(what, probe),
      member,
    }

    for (const scenario of table.scenarios) {
      it(scenario.name, () => playScenario(scenario, adapter, expect))
    }
  },
})
