import { decideTierChange, evaluateTier, nextTier, recomputeTier, type DowngradePolicy, type TierRef } from "../../src/domain/program/tiers"
import { accrualFile, compileOk, defaultProgramRulebook, LADDER, member, memberWhen, rule, tier, tiersFile } from "./support/rule-files"

const rulebook = defaultProgramRulebook()
const ref = (code: string): TierRef => {
  const found = rulebook.tiers!.tiers.find((t) => t.code === code)!
  return { code: found.code, name: found.name, rank: found.rank }
}

describe("evaluateTier on the default ladder: the highest-ranked qualifying tier wins", () => {
  it.each([
    [0, "bronze"],
    [999, "bronze"],
    [1000, "silver"],
    [4999, "silver"],
    [5000, "gold"],
    [19999, "gold"],
    [20000, "platinum"],
    [1_000_000, "platinum"],
  ])("%i lifetime points → %s", async (points_lifetime, expected) => {
    expect(evaluateTier(rulebook, member({ points_lifetime }))).toEqual(ref(expected))
  })

  it("ignores the balance and the stored tier (the default ladder reads lifetime points only)", async () => {
    expect(evaluateTier(rulebook, member({ points_lifetime: 10, points_balance: 50_000, tier: "platinum" }))).toEqual(ref("bronze"))
  })

  it("picks the highest rank when several non-threshold tiers qualify", async () => {
    const vip = tier("vip", 9, null, { conditions: { all: [{ fact: "member", path: "$.group_ids", operator: "contains", value: "vip" }] } })
    const ladder = compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }, { name: "tiers.json", text: tiersFile([...LADDER(), vip]) }])
    expect(evaluateTier(ladder, member({ points_lifetime: 25_000, group_ids: ["vip"] }))).toEqual({ code: "vip", name: "Vip", rank: 9 })
  })

  it("returns null for a rulebook without a tiers file", async () => {
    expect(evaluateTier(compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }]), member())).toBeNull()
  })

  it("gives the same answer to concurrent evaluations (a fresh engine each)", async () => {
    const points = [0, 1000, 5000, 20000, 999, 4999]
    const tiers = await Promise.all(points.map((points_lifetime) => evaluateTier(rulebook, member({ points_lifetime }))))
    expect(tiers.map((t) => t?.code)).toEqual(["bronze", "silver", "gold", "platinum", "bronze", "silver"])
  })
})

describe("nextTier: the tier above the current one and what it takes", () => {
  it.each([
    ["bronze", 0, "silver", 1000, 1000],
    ["bronze", 999, "silver", 1000, 1],
    ["silver", 1000, "gold", 5000, 4000],
    ["silver", 4999, "gold", 5000, 1],
    ["gold", 5000, "platinum", 20000, 15000],
    ["gold", 25000, "platinum", 20000, 0],
    [null, 250, "silver", 1000, 750],
    ["retired-tier", 250, "silver", 1000, 750],
  ])("from %s with %i lifetime points → %s at %i, %i points needed", (current, points_lifetime, expected, threshold, points_needed) => {
    expect(nextTier(rulebook, current, member({ points_lifetime }))).toEqual({
      ...ref(expected), threshold: { path: "$.points_lifetime", value: threshold }, remaining: points_needed, points_needed,
    })
  })

  it("returns null at the top of the ladder", () => {
    expect(nextTier(rulebook, "platinum", member({ points_lifetime: 20000 }))).toBeNull()
  })

  it("returns the next tier without threshold or points when its conditions are not a simple threshold", () => {
    const vip = tier("vip", 4, null, { conditions: { all: [{ fact: "member", path: "$.group_ids", operator: "contains", value: "vip" }] } })
    const ladder = compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }, { name: "tiers.json", text: tiersFile([...LADDER(), vip]) }])
    expect(nextTier(ladder, "platinum", member())).toEqual({ code: "vip", name: "Vip", rank: 4, threshold: null, remaining: null, points_needed: null })
  })

  it("counts what remains in the threshold's own unit, with points_needed only for points facts", () => {
    const spender = tier("spender", 1, null, { conditions: memberWhen("$.spend_last_365d_minor", "greaterThanInclusive", 100_000) })
    const ladder = compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }, { name: "tiers.json", text: tiersFile([tier("base", 0, null), spender]) }])
    expect(nextTier(ladder, "base", member({ spend_last_365d_minor: 40_000 }))).toEqual(expect.objectContaining({ code: "spender", remaining: 60_000, points_needed: null }))
  })

  it("returns null without a tiers file", () => {
    expect(nextTier(compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }]), null, member())).toBeNull()
  })
})

describe("decideTierChange: upgrades at once, downgrades by policy", () => {
  const NEVER: DowngradePolicy = { policy: "never" }
  const GRACE_30: DowngradePolicy = { policy: "grace", grace_days: 30 }
  const now = new Date("2025-03-31T12:00:00.000Z")
  const daysBefore = (days: number) => new Date(now.getTime() - days * 86_400_000)

  it.each([
    ["a first tier is assigned as an upgrade", null, "bronze", GRACE_30, null, "bronze", "upgrade", null],
    ["an upgrade applies at once", "silver", "gold", NEVER, null, "gold", "upgrade", null],
    ["an upgrade may skip ranks and clears a running grace", "silver", "platinum", GRACE_30, daysBefore(10), "platinum", "upgrade", null],
    ["requalifying for the same tier changes nothing", "gold", "gold", GRACE_30, null, "gold", "none", null],
    ["requalifying during grace resets below_since", "gold", "gold", GRACE_30, daysBefore(29), "gold", "none", null],
    ["policy never keeps the tier however long the member is below", "gold", "bronze", NEVER, daysBefore(3650), "gold", "none", null],
    ["first seen below: grace starts now", "gold", "silver", GRACE_30, null, "gold", "none", now],
    ["still in grace after 29 days", "gold", "silver", GRACE_30, daysBefore(29), "gold", "none", daysBefore(29)],
    ["downgraded once the grace has elapsed (exactly 30 days)", "gold", "silver", GRACE_30, daysBefore(30), "silver", "downgrade", null],
    ["a downgrade goes straight to the qualified tier", "platinum", "bronze", GRACE_30, daysBefore(45), "bronze", "downgrade", null],
    ["a grace of 0 days downgrades at once", "gold", "silver", { policy: "grace", grace_days: 0 }, null, "silver", "downgrade", null],
  ] as const)("%s", (_label, current, qualified, policy, below_since, tier, change, expected_below_since) => {
    const decision = decideTierChange({ current: current === null ? null : ref(current), qualified: ref(qualified), policy, below_since, now })
    expect(decision).toEqual(expect.objectContaining({ tier: ref(tier), change, below_since: expected_below_since, reason: expect.any(String) }))
  })

  it("says when the grace period ends while the member keeps the tier", () => {
    const decision = decideTierChange({ current: ref("gold"), qualified: ref("silver"), policy: GRACE_30, below_since: daysBefore(10), now })
    expect([decision.grace_ends_at?.toISOString(), decision.reason]).toEqual([daysBefore(-20).toISOString(), expect.stringMatching(/keeps it until 2025-04-20/)])
  })

  it("keeps the grace clock of the first drop when the member falls further", () => {
    const decision = decideTierChange({ current: ref("platinum"), qualified: ref("silver"), policy: GRACE_30, below_since: daysBefore(5), now })
    expect([decision.tier.code, decision.below_since]).toEqual(["platinum", daysBefore(5)])
  })
})

describe("recomputeTier: what both majors store and announce after a ledger change", () => {
  const now = new Date("2026-12-05T12:00:00Z")
  const longAgo = new Date("2026-01-01T00:00:00Z")
  const grace = rulebook.tiers!.downgrade

  it.each([
    ["a new member gets the base tier", null, null, 0, false, { to: "bronze", store: true, changed: true }],
    ["a member still qualifying is left as stored", "silver", null, 1500, false, { to: "silver", store: false, changed: false }],
    ["an upgrade is stored and announced", "silver", null, 6000, false, { to: "gold", store: true, changed: true }],
    ["requalifying clears a stored below_since", "silver", longAgo, 1500, false, { to: "silver", store: true, changed: false }],
    ["a correction below the tier downgrades at once", "gold", null, 1500, true, { to: "silver", store: true, changed: true }],
  ] as const)("%s", (_case, tier, below_since, points_lifetime, correction, expected) => {
    const r = recomputeTier(rulebook, { tier, tier_below_since: below_since }, member({ points_lifetime }), { trigger: "accrual", correction, now })
    expect(r).toMatchObject({ from: tier, ...expected })
    expect(r!.reason).toMatch(/^accrual: /)
  })

  it("keeps a tier through the ladder's 30-day grace when it is not a correction, storing since when", () => {
    expect(grace).toEqual({ policy: "grace", grace_days: 30 })
    const r = recomputeTier(rulebook, { tier: "gold", tier_below_since: null }, member({ points_lifetime: 1500 }), { trigger: "reevaluation", correction: false, now })
    expect(r).toMatchObject({ to: "gold", store: true, changed: false, decision: { below_since: now } })
  })

  it("returns null for a rulebook without a tier ladder", () => {
    const plain = compileOk([{ name: "accrual.json", text: accrualFile([rule()]) }])
    expect(recomputeTier(plain, { tier: null, tier_below_since: null }, member(), { trigger: "accrual", correction: false, now })).toBeNull()
  })
})
