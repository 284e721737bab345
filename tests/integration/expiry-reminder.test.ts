import { addMonths } from "../../src/domain/ledger/expiry"
import { createAdmin, createCustomer, expectOk, query, settleEvents, startStore, waitFor } from "../helpers/harness"
import type { Admin, Store } from "../helpers/harness"

/**
 * Expiry reminders on a real store with the shipped rules (points expire after 12 months, reminders 14 days
 * before): the expire job emits `loyalty.points_expiring` through Medusa's event bus (where a notification provider
 * subscribes) once per member and expiry date.
 */
describe("expiry reminders", () => {
  let store: Store
  let admin: Admin
  const seen: Array<Record<string, unknown>> = []

  beforeAll(async () => {
    store = await startStore({ pluginOptions: { auto_enroll: true } })
    admin = await createAdmin(store)
    store.container.resolve("eventBusService").subscribe("loyalty.points_expiring", async (data: Record<string, unknown>) => {
      seen.push(data)
    }, { subscriberId: "test-expiry-reminder-recorder" })
  })

  afterAll(async () => {
    await store?.stop()
  })

  it("a reminder event is emitted once for an expiring lot", async () => {
    const ann = await createCustomer(store)
    expectOk(await admin.api.post(`/admin/loyalty/accounts/${ann.id}/adjustments`, { points: 300, reason: "welcome" }, { "idempotency-key": "reminder-welcome" }), "adjustment")
    const [lot] = await query(store.databaseUrl, `SELECT created_at FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind = 'adjustment'`, [ann.id])
    const expires_at = addMonths(new Date(lot.created_at), 12)
    const at = (days: number) => new Date(expires_at.getTime() - days * 86_400_000)
    const remindAll = (now: Date) => store.container.resolve("loyaltyExpiryService").remindAll(now)
    const mine = () => seen.filter((e) => e.customer_id === ann.id)

    // 20 days before: outside the 14-day reminder window.
    expect(await remindAll(at(20))).toMatchObject({ enabled: true, emitted: 0 })
    expect(await remindAll(at(10))).toMatchObject({ enabled: true, emitted: 1 })
    await waitFor(() => mine().length === 1 || null, { timeoutMs: 120_000, description: "loyalty.points_expiring delivered" })
    expect(mine()).toEqual([{
      customer_id: ann.id, points: 300, expires_at: expires_at.toISOString(), expires_on: expires_at.toISOString().slice(0, 10), days_left: 10, balance: 300,
    }])

    // The next runs (the same day, the day after) remind nothing more for that expiry date.
    expect(await remindAll(at(10))).toMatchObject({ emitted: 0 })
    expect(await remindAll(at(9))).toMatchObject({ emitted: 0 })
    // The expire job run by the admin route (today's clock: nothing expires within 14 days) reports its reminders.
    const run = expectOk(await admin.api.post("/admin/loyalty/jobs/expire", {}), "POST /admin/loyalty/jobs/expire")
    expect(run.reminders).toMatchObject({ enabled: true, emitted: 0 })
    await settleEvents()
    expect(mine()).toHaveLength(1)
    expect(await query(store.databaseUrl, `SELECT points, expires_on::text FROM loyalty_expiry_reminder WHERE customer_id = $1`, [ann.id])).toEqual([
      { points: 300, expires_on: expires_at.toISOString().slice(0, 10) },
    ])
  })
})
