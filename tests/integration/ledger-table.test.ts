import fs from "fs"
import path from "path"
import { ledgerTable, playScenario, tablePrices } from "../helpers/ledger-table"
import type { Adapter, Member } from "../helpers/ledger-table"
import {
  createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, redeemPoints, rulesDirWithProgram, settleEvents,
  startStore, waitFor,
} from "../helpers/harness"
import type { Admin, Store } from "../helpers/harness"

/**
 * The v1 half of the ledger table: tests/fixtures/ledger-table.json lists, step by step, the entries (kind, points,
 * pending, balance, key, reason) and the account a member must have after cancels, refunds, adjustments,
 * redemptions, expiry, activation and tier moves. Here a real Medusa 1.20 store plays it over HTTP;
 * v2/integration-tests/http/ledger-table.spec.ts plays the same table on a real Medusa 2.21 app.
 */
const table = ledgerTable()
const minor = (major: number) => Math.round(major * 100)

describe("the ledger table on Medusa v1", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  const variantByPrice = new Map<number, string>()
  const rules = rulesDirWithProgram({})

  beforeAll(async () => {
    store = await startStore({ pluginOptions: { rules_dir: rules.dir } })
    admin = await createAdmin(store)
    await adminPost("/admin/store/currencies/eur") // a region's currency must be the store's; the table's codes are worth EUR
    region = await createRegion(admin, { currency_code: "eur", countries: ["de"], shippingAmount: 1000 })
    for (const price of tablePrices()) variantByPrice.set(price, await createProduct(admin, { title: `Item at ${price}`, price: minor(price), currency_code: "eur" }))
  })

  afterAll(async () => {
    await store?.stop()
    rules.remove()
  })

  const adminPost = async (p: string, body: unknown = {}) => expectOk(await admin.api.post(p, body), `POST ${p}`)
  const subscriber = (name: string, order_id: string) =>
    require(`../../dist/subscribers/${name}`).default({ data: { id: order_id }, eventName: "", container: store.container, pluginOptions: {} })

  const adapter: Adapter = {
    setProgram: async (program_json) => {
      fs.writeFileSync(path.join(rules.dir, "program.json"), program_json)
      await adminPost("/admin/loyalty/rules/reload")
    },
    runJob: (job, now) => store.container.resolve("loyaltyJobsService")[job](now),
    waitFor: (what, probe) => waitFor(probe, { description: what }),
    member: async (): Promise<Member> => {
      const customer = await createCustomer(store)
      const orders = new Map<string, { id: string; items: Array<{ id: string; quantity: number }> }>()
      const place = async (items: Array<{ price: number; quantity: number }>) => {
        const lines = items.map((i) => ({ variant_id: variantByPrice.get(i.price)!, quantity: i.quantity }))
        const order = await placeOrder(store, { token: customer, region, items: lines, countryCode: "de" })
        orders.set(order.id, order)
        return order.id as string
      }
      const refundIds = async (order_id: string): Promise<string[]> =>
        (await query(store.databaseUrl, `SELECT id FROM refund WHERE order_id = $1`, [order_id])).map((r) => r.id as string)
      return {
        id: customer.id,
        place,
        cancel: async (order_id) => void (await adminPost(`/admin/orders/${order_id}/cancel`)),
        // Medusa's bus held: the cancel's subscriber runs before order.placed's; the held events still arrive after.
        cancelBeforePlaced: async (items) => {
          const bus = store.container.resolve("eventBusService")
          await bus.stopEnqueuer()
          try {
            const order_id = await place(items)
            await adminPost(`/admin/orders/${order_id}/cancel`)
            await subscriber("order-canceled-reverse", order_id)
            await subscriber("order-placed-accrue", order_id)
            return order_id
          } finally {
            bus.startEnqueuer()
            await settleEvents()
          }
        },
        capture: async (order_id) => void (await adminPost(`/admin/orders/${order_id}/capture`)),
        refund: async (order_id, amount_minor, reason) => {
          const before = await refundIds(order_id)
          await adminPost(`/admin/orders/${order_id}/refund`, { amount: amount_minor, reason })
          return (await refundIds(order_id)).find((id) => !before.includes(id))!
        },
        fulfill: async (order_id) => {
          const items = orders.get(order_id)!.items.map((i) => ({ item_id: i.id, quantity: i.quantity }))
          await adminPost(`/admin/orders/${order_id}/fulfillment`, { items })
        },
        adjust: (key, body) => admin.api.post(`/admin/loyalty/accounts/${customer.id}/adjustments`, body, { "idempotency-key": key }),
        redeem: (key, points) => redeemPoints(store, customer, { points, region_id: region.id }, key),
        entries: () =>
          query(
            store.databaseUrl,
            `SELECT kind, points, pending_delta, balance_after, idempotency_key, reason FROM loyalty_ledger_entry WHERE customer_id = $1 ORDER BY seq`,
            [customer.id]
          ) as Promise<any[]>,
        account: async () => expectOk(await customer.api.get("/store/customers/me/loyalty"), "GET /store/customers/me/loyalty").loyalty_account,
      }
    },
  }

  for (const scenario of table.scenarios) {
    it(scenario.name, () => playScenario(scenario, adapter, expect))
  }
})
