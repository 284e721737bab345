import { evaluateAccrual } from "../../src/domain/program/accrual"
import { earnPreview, previewNeedsMemberFacts, productEarnPreview, type CartFacts, type PreviewMember } from "../../src/domain/program/earn-preview"
import { accrualFile, compileOk, customer, defaultProgramRulebook, member as memberFacts, order, readRepoFile, rule, tier, tiersFile } from "./support/rule-files"

const NOW = new Date("2026-11-27T15:00:00.000Z")
const { created_at: _placed, ...cart } = order() // subtotal 12345, discount 2345: 100 amount points
const CART: CartFacts = cart

const ada = (o: { earlier_orders?: number; account?: PreviewMember["account"] } = {}): PreviewMember => ({
  customer: { id: "cus_1", email: "ada@example.com", group_ids: [], created_at: "2024-01-01T00:00:00.000Z", has_account: true },
  earlier_orders: o.earlier_orders ?? 3,
  account: o.account === undefined ? { points_balance: 0, points_lifetime: 0, tier: "bronze" } : o.account,
})
const account = (points_lifetime: number, tier: string) => ({ points_balance: points_lifetime, points_lifetime, tier })
const guest: PreviewMember = { customer: null, earlier_orders: 0, account: null }
const blackFriday = rule({
  name: "black-friday", starts_at: "2026-11-27T00:00:00-05:00", ends_at: "2026-11-28T00:00:00-05:00",
  event: { type: "multiplier", params: { factor: 2 } },
})
const withCampaign = () => compileOk([
  { name: "accrual.json", text: JSON.stringify({ ...JSON.parse(readRepoFile("rules/accrual.json")), rules: [...JSON.parse(readRepoFile("rules/accrual.json")).rules, blackFriday] }) },
  { name: "tiers.json", text: readRepoFile("rules/tiers.json") },
  { name: "program.json", text: JSON.stringify({ kind: "program", timezone: "America/New_York" }) },
])

describe("earn preview: the points a cart will earn are the order's accrual, computed the same way", () => {
  const rulebook = defaultProgramRulebook()

  it.each<[string, PreviewMember, Date, number, string[], { current: string | null; after: string | null; points_to_next: number | null }]>([
    ["a returning bronze member", ada(), NOW, 100, ["base-earn"], { current: "bronze", after: "bronze", points_to_next: 900 }],
    ["a first order adds the first-order bonus", ada({ earlier_orders: 0 }), NOW, 200, ["base-earn", "first-order-bonus"], { current: "bronze", after: "bronze", points_to_next: 800 }],
    ["a gold member earns ×1.5", ada({ account: account(6000, "gold") }), NOW, 150, ["base-earn", "gold-multiplier"], { current: "gold", after: "gold", points_to_next: 20000 - 6150 }],
    ["a member 50 points short of silver is silver after the order", ada({ account: account(950, "bronze") }), NOW, 100, ["base-earn"], { current: "bronze", after: "silver", points_to_next: 5000 - 1050 }],
    ["a member without an account yet opens one at bronze", ada({ earlier_orders: 0, account: null }), NOW, 200, ["base-earn", "first-order-bonus"], { current: "bronze", after: "bronze", points_to_next: 800 }],
  ])("%s → %i points", (_label, member, now, points, names, tierAfter) => {
    const preview = earnPreview(rulebook, CART, member, now)
    expect({ points: preview.points, names: preview.rules.map((r) => r.name), tier: preview.tier, pending: preview.pending, member: preview.member })
      .toEqual({ points, names: expect.arrayContaining(names), tier: tierAfter, pending: false, member: true })
    expect(preview.rules.reduce((sum, r) => sum + r.points, 0)).toBe(points)
  })

  it.each([
    ["a bronze first order", { earlier_orders: 0, account: account(0, "bronze") }],
    ["a platinum member", { earlier_orders: 12, account: account(25000, "platinum") }],
    ["a silver member", { earlier_orders: 1, account: account(1200, "silver") }],
  ])("equals evaluateAccrual of the order placed at `now` with the same member: %s", (_label, m) => {
    const preview = earnPreview(rulebook, CART, ada(m), NOW)
    const placed = evaluateAccrual(rulebook, {
      order: { ...CART, created_at: NOW.toISOString() },
      customer: customer({ orders_count: m.earlier_orders, points_balance: m.account.points_balance, points_lifetime: m.account.points_lifetime, tier: m.account.tier }),
    })
    expect(preview.points).toBe(placed.points)
    expect(preview.rules).toEqual(placed.contributions.map((c) => ({ name: c.rule, points: c.points })))
    expect(preview.rulebook_version).toBe(placed.rulebook_version)
  })

  it.each([
    ["inside the campaign (10:00 in New York on its day)", new Date("2026-11-27T15:00:00Z"), 200, true],
    ["before it (23:59 the day before in New York, already the 27th in UTC)", new Date("2026-11-27T04:59:00Z"), 100, false],
    ["after it", new Date("2026-11-28T05:00:00Z"), 100, false],
  ])("a campaign fires by the store's time zone at `now`: %s → %i", (_label, now, points, fires) => {
    const preview = earnPreview(withCampaign(), CART, ada(), now)
    expect(preview.points).toBe(points)
    expect(preview.rules.some((r) => r.name === "black-friday")).toBe(fires)
  })

  it("a guest is previewed as a new member: first-order bonus, the base tier, member false", () => {
    const preview = earnPreview(rulebook, CART, guest, NOW)
    expect(preview).toMatchObject({ points: 200, member: false, tier: { current: "bronze", after: "bronze", points_to_next: 800 } })
    // A registered customer without an account flag (a guest checkout's customer) is a guest too.
    expect(earnPreview(rulebook, CART, { ...ada(), customer: { ...ada().customer!, has_account: false } }, NOW).member).toBe(false)
  })

  it("pending points (pending_days > 0) are previewed as pending and do not move the tier", () => {
    const pendingBook = compileOk([
      { name: "accrual.json", text: readRepoFile("rules/accrual.json") },
      { name: "tiers.json", text: readRepoFile("rules/tiers.json") },
      { name: "program.json", text: JSON.stringify({ kind: "program", pending_days: 14 }) },
    ])
    const preview = earnPreview(pendingBook, CART, ada({ account: account(950, "bronze") }), NOW)
    expect(preview).toMatchObject({ points: 100, pending: true, tier: { current: "bronze", after: "bronze", points_to_next: 50 } })
  })

  it("without a tiers file the tier is null; a 0-decimal currency earns only what its rules say", () => {
    const noTiers = compileOk([{ name: "accrual.json", text: readRepoFile("rules/accrual.json") }])
    expect(earnPreview(noTiers, CART, ada(), NOW).tier).toBeNull()
    expect(earnPreview(noTiers, { ...CART, currency_code: "jpy", currency_decimals: 0 }, ada(), NOW).points).toBe(0)
  })

  it("a ladder on other member facts needs the member's full facts, and reads them", () => {
    const byOrders = compileOk([
      { name: "accrual.json", text: accrualFile([rule()]) },
      { name: "tiers.json", text: tiersFile([tier("base", 0, null), tier("regular", 1, null, { conditions: { all: [{ fact: "member", path: "$.orders_count", operator: "greaterThanInclusive", value: 5 }] } })]) },
    ])
    expect(previewNeedsMemberFacts(byOrders)).toBe(true)
    expect(previewNeedsMemberFacts(rulebook)).toBe(false)
    const m = { ...ada({ account: account(0, "base") }), member_facts: memberFacts({ orders_count: 4, tier: "base" }) }
    expect(earnPreview(byOrders, CART, m, NOW).tier).toEqual({ current: "base", after: "regular", points_to_next: null })
  })
})

describe("product earn preview: one unit of each variant", () => {
  const rulebook = defaultProgramRulebook()
  const where = { currency_code: "usd", currency_decimals: 2, region_id: "reg_1", sales_channel_id: null }
  const variant = (variant_id: string, unit_price_minor: number | null) => ({
    variant_id, title: "M", sku: null, product_id: "prod_1", collection_id: null, type: null, type_id: null, tags: [], unit_price_minor,
  })

  it.each<[string, PreviewMember, Array<[string, number | null, number]>]>([
    ["a returning gold member", ada({ account: account(6000, "gold") }), [["v_10", 1000, 15], ["v_1999", 1999, 28], ["v_none", null, 0]]],
    ["a guest (what a new member would earn: the first-order bonus)", guest, [["v_10", 1000, 110], ["v_1999", 1999, 119], ["v_none", null, 0]]],
  ])("%s", (_label, member, expected) => {
    const out = productEarnPreview(rulebook, expected.map(([id, price]) => variant(id, price)), where, member, NOW)
    expect(out.member).toBe(member.customer !== null)
    expect(out.variants.map((v) => [v.variant_id, v.unit_price, v.points])).toEqual(expected)
  })
})
