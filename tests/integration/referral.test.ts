import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, createCustomer, createProduct, createRegion, expectOk, placeOrder, query, REPO_ROOT, startStore, waitFor } from "../helpers/harness"
import type { Admin, Store } from "../helpers/harness"

/**
 * Referrals on a real store with the campaigns example (referral 500 to each side): a member's code, a new member
 * attaching it, the first order crediting both sides through the `referral` action rules, and a cancel taking both
 * back with new entries; self-referral and a second attach are refused with typed codes.
 */
describe("referral codes: attach, first order, cancel", () => {
  let store: Store
  let admin: Admin
  let region: { id: string }
  let shirt: string
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-referral-"))

  const referralEntries = (customer_id: string) =>
    query(store.databaseUrl, `SELECT kind, points, idempotency_key, rule_names FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind = 'action' AND details->'action'->>'type' = 'referral' ORDER BY seq`, [customer_id])
  const balanceOf = async (customer_id: string) =>
    expectOk(await admin.api.get(`/admin/loyalty/accounts/${customer_id}`), "GET account").loyalty_account.points_balance as number

  beforeAll(async () => {
    fs.cpSync(path.join(REPO_ROOT, "examples", "rulebooks", "campaigns"), dir, { recursive: true })
    store = await startStore({ pluginOptions: { rules_dir: dir, auto_enroll: true } })
    admin = await createAdmin(store)
    region = await createRegion(admin)
    shirt = await createProduct(admin, { title: "Shirt", price: 1000 })
  })

  afterAll(async () => {
    await store?.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("referral attach → first order → both credited → cancel → both reversed; self-referral refused; a second attach refused", async () => {
    const ann = await createCustomer(store)
    const bob = await createCustomer(store)
    const carl = await createCustomer(store)

    const mine = expectOk(await ann.api.get("/store/customers/me/loyalty/referral"), "GET referral")
    expect(mine).toEqual({ code: expect.stringMatching(/^[2-9A-HJKMNP-Z]{8}$/), attached: null })
    expect(expectOk(await ann.api.get("/store/customers/me/loyalty/referral"), "GET referral again").code).toBe(mine.code)

    const self = await ann.api.post("/store/customers/me/loyalty/referral", { code: mine.code })
    expect(self.status).toBe(400)
    expect(self.body).toMatchObject({ code: "REFERRAL_SELF", type: "not_allowed" })

    const unknown = await bob.api.post("/store/customers/me/loyalty/referral", { code: "ZZZZZZZZ" })
    expect(unknown.status).toBe(400)
    expect(unknown.body).toMatchObject({ code: "REFERRAL_CODE_UNKNOWN", type: "invalid_data" })

    // Typed in lower case with a dash: the same code.
    const typed = `${mine.code.slice(0, 4).toLowerCase()}-${mine.code.slice(4)}`
    const attached = await bob.api.post("/store/customers/me/loyalty/referral", { code: typed })
    expect(attached.status).toBe(201)
    expect(attached.body).toEqual({ attached: { code: mine.code, attached_at: expect.any(String) } })

    const carlCode = expectOk(await carl.api.get("/store/customers/me/loyalty/referral"), "GET carl's code").code
    const second = await bob.api.post("/store/customers/me/loyalty/referral", { code: carlCode })
    expect(second.status).toBe(400)
    expect(second.body).toMatchObject({ code: "REFERRAL_ALREADY_ATTACHED", type: "not_allowed" })
    expect(expectOk(await bob.api.get("/store/customers/me/loyalty/referral"), "GET bob's referral").attached).toMatchObject({ code: mine.code })

    const order = await placeOrder(store, { token: bob, region, items: [{ variant_id: shirt, quantity: 1 }] })

    const credited = await waitFor(async () => {
      const [a, b] = await Promise.all([referralEntries(ann.id), referralEntries(bob.id)])
      return a.length === 1 && b.length === 1 ? { a, b } : null
    }, { timeoutMs: 120_000, description: "both referral awards" })
    expect(credited.a).toEqual([{ kind: "action", points: 500, idempotency_key: `action:referral:referrer:${bob.id}`, rule_names: ["referral-referrer-500"] }])
    expect(credited.b).toEqual([{ kind: "action", points: 500, idempotency_key: `action:referral:referred:${bob.id}`, rule_names: ["referral-friend-500"] }])
    expect(await balanceOf(ann.id)).toBe(500)
    const bobBefore = await balanceOf(bob.id)

    // A second order earns no referral points.
    await placeOrder(store, { token: bob, region, items: [{ variant_id: shirt, quantity: 1 }] })

    expectOk(await admin.api.post(`/admin/orders/${order.id}/cancel`, {}), "cancel")
    const reversed = await waitFor(async () => {
      const [a, b] = await Promise.all([referralEntries(ann.id), referralEntries(bob.id)])
      return a.length === 2 && b.length === 2 ? { a, b } : null
    }, { timeoutMs: 120_000, description: "both referral reversals" })
    expect(reversed.a.map((e) => e.points)).toEqual([500, -500])
    expect(reversed.b.map((e) => e.points)).toEqual([500, -500])
    expect(reversed.a[1].idempotency_key).toBe(`action:referral:referrer:${bob.id}:reversed`)
    expect(await balanceOf(ann.id)).toBe(0)
    // Bob's referral award is gone (his order points are reversed by the order's own cancel entry).
    const bobOrderPoints = await query(store.databaseUrl, `SELECT coalesce(sum(points), 0)::int AS p FROM loyalty_ledger_entry WHERE customer_id = $1 AND kind <> 'action'`, [bob.id])
    expect(await balanceOf(bob.id)).toBe(bobOrderPoints[0].p)
    expect(bobBefore).toBeGreaterThanOrEqual(500)

    // The ledger was only appended to, and verify finds no drift.
    expect(expectOk(await admin.api.get("/admin/loyalty/verify"), "verify").ok).toBe(true)
  })

  it("a code attached after the member's first order is refused (not_allowed), and the store shows nothing attached", async () => {
    const [ann, dora] = [await createCustomer(store), await createCustomer(store)]
    const code = expectOk(await ann.api.get("/store/customers/me/loyalty/referral"), "GET ann's code").code
    await placeOrder(store, { token: dora, region, items: [{ variant_id: shirt, quantity: 1 }] })
    const late = await dora.api.post("/store/customers/me/loyalty/referral", { code })
    expect(late.status).toBe(400)
    expect(late.body).toMatchObject({ code: "REFERRAL_NOT_ALLOWED", type: "not_allowed", message: expect.stringMatching(/before the first order/) })
    expect(expectOk(await dora.api.get("/store/customers/me/loyalty/referral"), "GET dora's referral").attached).toBeNull()
  })
})
