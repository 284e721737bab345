import { createAdmin, createCustomer, createProduct, createRegion, placeOrder, query, startStore, waitFor } from "../helpers/harness"
import type { Admin, Customer, Store } from "../helpers/harness"
import { cli, FIXTURE_STORE } from "../helpers/cli"

/**
 * Ledger integrity on a real store: the admin route and `medusa-loyalty verify` (plain pg, no Medusa boot) agree,
 * and a row changed behind the ledger's back is reported with customer, check, expected vs actual and entry id.
 */
describe("ledger verification", () => {
  let store: Store
  let admin: Admin
  let ann: Customer
  let accrualId: string

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => query(store.databaseUrl, text, params)

  beforeAll(async () => {
    store = await startStore({ pluginOptions: {} })
    admin = await createAdmin(store)
    const region = await createRegion(admin)
    const shirt = await createProduct(admin, { title: "Shirt", price: 12345 })
    ann = await createCustomer(store)
    await createCustomer(store) // an account without entries is checked too
    const order = await placeOrder(store, { token: ann, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const [row] = await waitFor(async () => {
      const rows = await sql(`SELECT id FROM loyalty_ledger_entry WHERE order_id = $1`, [order.id])
      return rows.length ? rows : null
    }, { description: "accrual" })
    accrualId = row.id
  })

  afterAll(async () => {
    await store?.stop()
  })

  it("reports a clean ledger as ok over the admin route and the CLI exits 0", async () => {
    const res = await admin.api.get("/admin/loyalty/verify")
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true, accounts_checked: 2, entries_checked: 1, problems: [] })

    const run = await cli(["verify", "--database-url", store.databaseUrl, "--json"])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual(res.body)
  })

  it("refuses unknown query parameters on the verify route", async () => {
    const res = await admin.api.get("/admin/loyalty/verify?fix=true")
    expect(res.status).toBe(400)
    expect(res.body.message).toContain("query")
  })

  it("runs a periodic job from the store directory with the store's own Medusa (CLI activate)", async () => {
    const run = await cli(["activate", "--now", "2030-01-01", "--json"], FIXTURE_STORE)
    expect(run.code).toBe(0)
    const json = JSON.parse(run.stdout) // Medusa's own logs go to stderr: stdout is the report only
    expect(json).toEqual({ now: "2030-01-01T00:00:00.000Z", orders_checked: 0, awards_checked: 0, entries_posted: 0, points_activated: 0 })
  })

  it("reports a tampered row precisely (customer, check, expected vs actual, entry) and the CLI exits 1", async () => {
    await sql(`ALTER TABLE loyalty_ledger_entry DISABLE TRIGGER loyalty_ledger_entry_append_only`)
    await sql(`UPDATE loyalty_ledger_entry SET points = points + 7 WHERE id = $1`, [accrualId])
    await sql(`ALTER TABLE loyalty_ledger_entry ENABLE TRIGGER loyalty_ledger_entry_append_only`)

    const res = await admin.api.get("/admin/loyalty/verify")
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      ok: false,
      accounts_checked: 2,
      entries_checked: 1,
      problems: [
        { customer_id: ann.id, check: "balance_chain", expected: 230, actual: 223, entry_id: accrualId },
        { customer_id: ann.id, check: "points_balance", expected: 230, actual: 223 },
        { customer_id: ann.id, check: "points_lifetime", expected: 230, actual: 223 },
      ],
    })

    const run = await cli(["verify", "--database-url", store.databaseUrl])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("DRIFT: 2 account(s), 1 entry checked, 3 problem(s)")
    expect(run.stdout).toContain(`${ann.id}  balance_chain  entry ${accrualId}: expected 230, actual 223`)
  })

  it("answers usage errors with exit code 2 and --help with 0", async () => {
    expect((await cli(["verify", "--nope"])).code).toBe(2)
    expect((await cli(["expire", "--now", "yesterday"])).code).toBe(2)
    const help = await cli(["verify", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("--database-url <url>")
  })
})
