import { checkAttach, normalizeReferralCode, referralCode, referralReference, referralReversalKey, REFERRAL_CODE_PATTERN, type AttachFacts } from "../../src/domain/program/referral"
import { compileIssues, accrualFile, rule } from "./support/rule-files"

const DAY = 86_400_000
const base: AttachFacts = {
  referred_id: "cus_new", referrer_id: "cus_friend", code: "ABCDEFGH", signed_up_at: new Date("2026-11-01T00:00:00Z"),
  attached_code: null, orders: 0, attach_within_days: 30, now: new Date("2026-11-10T00:00:00Z"),
}
const codeOf = (f: Partial<AttachFacts>) => {
  try {
    checkAttach({ ...base, ...f })
    return "ok"
  } catch (e) {
    return (e as { code: string }).code
  }
}

describe("referral codes", () => {
  it("gives each customer the same 8-character code every time, and different customers different codes", () => {
    expect(referralCode("cus_a")).toBe(referralCode("cus_a"))
    expect(referralCode("cus_a")).toMatch(REFERRAL_CODE_PATTERN)
    const codes = new Set(Array.from({ length: 1000 }, (_, i) => referralCode(`cus_${i}`)))
    expect(codes.size).toBe(1000)
  })

  it("reads a typed code whatever its case, spaces and dashes", () => {
    expect(normalizeReferralCode(" abcd-efgh ")).toBe("ABCDEFGH")
  })

  it("names each side's award and its reversal deterministically", () => {
    expect(referralReference("cus_new", "referrer")).toBe("referrer:cus_new")
    expect(referralReversalKey("cus_new", "referred")).toBe("action:referral:referred:cus_new:reversed")
  })

  it("accepts a friend's code within the window and before the first order, naming the referrer", () => {
    expect(checkAttach(base)).toBe("cus_friend")
    expect(codeOf({ now: new Date(base.signed_up_at.getTime() + 30 * DAY) })).toBe("ok")
  })

  it.each([
    ["a second attach", { attached_code: "ZZZZZZZZ" }, "REFERRAL_ALREADY_ATTACHED"],
    ["an unknown code", { referrer_id: null }, "REFERRAL_CODE_UNKNOWN"],
    ["one's own code", { referrer_id: "cus_new" }, "REFERRAL_SELF"],
    ["after a first order", { orders: 1 }, "REFERRAL_NOT_ALLOWED"],
    ["one millisecond after the window", { now: new Date(base.signed_up_at.getTime() + 30 * DAY + 1) }, "REFERRAL_NOT_ALLOWED"],
  ])("refuses %s", (_label, f, code) => {
    expect(codeOf(f as Partial<AttachFacts>)).toBe(code)
  })

  it("refuses a program whose referral window is out of range", () => {
    const issues = compileIssues([{ name: "accrual.json", text: accrualFile([rule()]) }, { name: "program.json", text: JSON.stringify({ kind: "program", referral: { attach_within_days: 0 } }) }])
    expect(issues.map((i) => i.pointer)).toContain("/referral/attach_within_days")
  })
})
