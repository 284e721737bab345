import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, expectOk, query, REPO_ROOT, startStore, waitFor } from "../helpers/harness"
import type { Admin, Store } from "../helpers/harness"

/**
 * Birthdays on a real store with the campaigns example (birthday 200, store calendar New York): the job awards the
 * `birthday` action once a year on the member's birthday in the program's time zone, and nothing for a birthday
 * set or changed in the last 30 days (recorded from customer.updated).
 */
describe("birthday bonus", () => {
  let store: Store
  let admin: Admin
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-birthday-"))

  const awardDue = (now: string) => store.container.resolve("loyaltyBirthdayService").awardDue(new Date(now))
  const birthdayEntries = (customer_id: string) =>
    query(store.databaseUrl, `SELECT points, idempotency_key, rule_names FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind = 'action' AND details->'action'->>'type' = 'birthday' ORDER BY seq`, [customer_id])

  beforeAll(async () => {
    fs.cpSync(path.join(REPO_ROOT, "examples", "rulebooks", "campaigns"), dir, { recursive: true })
    store = await startStore({ pluginOptions: { rules_dir: dir, auto_enroll: true } })
    admin = await createAdmin(store)
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("birthday once a year and refused after a recent change", async () => {
    // Ann's birthday came with an import (no customer event): never seen to change.
    const ann = await createCustomer(store)
    await query(store.databaseUrl, `UPDATE customer SET metadata = '{"birthday": "1990-03-15"}'::jsonb WHERE id = $1`, [ann.id])

    // 03:00Z on 15 March is still 14 March in New York: not yet.
    expect(await awardDue("2027-03-15T03:00:00Z")).toMatchObject({ local_date: "2027-03-14", candidates: 0, awarded: 0 })
    expect(await awardDue("2027-03-15T15:00:00Z")).toMatchObject({ local_date: "2027-03-15", candidates: 1, awarded: 1 })
    // Later the same local day (03:00Z on the 16th is 23:00 on the 15th in New York): already awarded.
    expect(await awardDue("2027-03-16T03:00:00Z")).toMatchObject({ local_date: "2027-03-15", candidates: 1, awarded: 0, already: 1 })
    expect(await birthdayEntries(ann.id)).toEqual([{ points: 200, idempotency_key: `action:birthday:${ann.id}:2027`, rule_names: ["birthday-200"] }])
    // The next year earns again, once.
    expect(await awardDue("2028-03-15T15:00:00Z")).toMatchObject({ awarded: 1 })
    expect((await birthdayEntries(ann.id)).map((e) => e.idempotency_key)).toEqual([`action:birthday:${ann.id}:2027`, `action:birthday:${ann.id}:2028`])

    // Bob sets his birthday through Medusa (customer.updated): recorded as a change.
    const bob = await createCustomer(store)
    expectOk(await admin.api.post(`/admin/customers/${bob.id}`, { metadata: { birthday: "03-15" } }), "POST /admin/customers/:id")
    const [change] = await waitFor(async () => {
      const rows = await query(store.databaseUrl, `SELECT birthday, changed_at FROM loyalty_birthday_change WHERE customer_id = $1`, [bob.id])
      return rows.length > 0 ? rows : null
    }, { timeoutMs: 120_000, description: "birthday change recorded" })
    expect(change.birthday).toBe("03-15")
    // Changing it to 10 days from now: refused on that day (changed within 30 days), awarded the year after.
    const soon = new Date(new Date(change.changed_at).getTime() + 10 * 86_400_000)
    const md = soon.toISOString().slice(5, 10)
    expectOk(await admin.api.post(`/admin/customers/${bob.id}`, { metadata: { birthday: md } }), "change birthday")
    await waitFor(async () => (await query(store.databaseUrl, `SELECT 1 FROM loyalty_birthday_change WHERE customer_id = $1 AND birthday = $2`, [bob.id, md])).length === 1 || null, { timeoutMs: 120_000, description: "second change recorded" })
    // A customer.created delivered late (the local bus keeps no order) is compared with the state at its own time:
    // no birthday then, none recorded then — not a change back to "no birthday".
    const birthdays = store.container.resolve("loyaltyBirthdayService")
    const [{ created_at }] = await query(store.databaseUrl, `SELECT created_at FROM customer WHERE id = $1`, [bob.id])
    expect(await birthdays.recordChange({ id: bob.id, metadata: null, created_at })).toBe(false)
    // A redelivered update finds its own row.
    expect(await birthdays.recordChange({ id: bob.id, metadata: { birthday: "03-15" }, updated_at: change.changed_at })).toBe(false)
    // An update of another field records nothing.
    expectOk(await admin.api.post(`/admin/customers/${bob.id}`, { first_name: "Robert" }), "rename")
    const onDay = `${soon.toISOString().slice(0, 10)}T17:00:00Z`
    expect(await awardDue(onDay)).toMatchObject({ candidates: 1, recent_change: 1, awarded: 0 })
    expect(await birthdayEntries(bob.id)).toEqual([])
    const nextYear = `${Number(onDay.slice(0, 4)) + 1}${onDay.slice(4)}`
    expect(await awardDue(nextYear)).toMatchObject({ awarded: 1 })
    expect((await birthdayEntries(bob.id)).map((e) => e.idempotency_key)).toEqual([`action:birthday:${bob.id}:${nextYear.slice(0, 4)}`])
    expect(await query(store.databaseUrl, `SELECT birthday FROM loyalty_birthday_change WHERE customer_id = $1 ORDER BY id`, [bob.id])).toEqual([{ birthday: "03-15" }, { birthday: md }])

    // The admin route runs the job as of the server clock in the store's calendar.
    const run = expectOk(await admin.api.post("/admin/loyalty/jobs/birthdays", {}), "POST /admin/loyalty/jobs/birthdays")
    expect(run.birthdays).toMatchObject({ local_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), failed: 0 })
    expect(expectOk(await admin.api.get("/admin/loyalty/verify"), "verify").ok).toBe(true)
  })
})
