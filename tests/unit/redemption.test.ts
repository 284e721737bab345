import { createHash } from "crypto"
import { DEFAULT_PROGRAM, type ProgramSettings } from "../../src/domain/rules/program"
import { checkRedemption, negativeBalanceVoidDraft, REDEMPTION_CODE_ALPHABET, redemptionAmountMinor, redemptionCode, redemptionExpiresAt } from "../../src/domain/ledger/redemption"

const program = (redemption: Partial<ProgramSettings["redemption"]> = {}): ProgramSettings => ({
  ...DEFAULT_PROGRAM,
  redemption: { ...DEFAULT_PROGRAM.redemption, ...redemption },
})

describe("checkRedemption", () => {
  it.each([
    [500, 500],
    [500, 10_000],
    [1200, 1200],
  ])("accepts %i points with %i available", (points, available) => {
    expect(() => checkRedemption(points, available, DEFAULT_PROGRAM)).not.toThrow()
  })

  it.each([
    [550, /points must be a multiple of 100/],
    [400, /points must be at least 500/],
    [0, /points must be a positive integer/],
    [-500, /points must be a positive integer/],
    [500.5, /points must be a positive integer/],
    [Number.NaN, /points must be a positive integer/],
    [2_147_483_700, /points must be at most 2147483647/],
  ])("refuses %p points as INVALID_INPUT naming the field points", (points, message) => {
    expect(() => checkRedemption(points, 1_000_000, DEFAULT_PROGRAM)).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", message: expect.stringMatching(message), details: expect.objectContaining({ field: "points" }) })
    )
  })

  it("refuses more points than available as INSUFFICIENT_POINTS with requested and available", () => {
    expect(() => checkRedemption(700, 650, DEFAULT_PROGRAM)).toThrow(
      expect.objectContaining({ code: "INSUFFICIENT_POINTS", details: { requested: 700, available: 650 } })
    )
  })

  it("reports bad input before an insufficient balance", () => {
    expect(() => checkRedemption(550, 0, DEFAULT_PROGRAM)).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }))
  })

  it("follows the program's min and step", () => {
    expect(() => checkRedemption(250, 1000, program({ min_points: 250, step_points: 50 }))).not.toThrow()
    expect(() => checkRedemption(275, 1000, program({ min_points: 250, step_points: 50 }))).toThrow(expect.objectContaining({ message: expect.stringMatching(/multiple of 50/) }))
  })
})

describe("redemptionAmountMinor: points / points_per_currency_unit major units, in minor units", () => {
  it.each([
    [500, DEFAULT_PROGRAM, 2, 500, "5.00 USD"],
    [500, DEFAULT_PROGRAM, 0, 5, "5 JPY"],
    [500, DEFAULT_PROGRAM, 3, 5000, "5.000 KWD"],
    [1200, DEFAULT_PROGRAM, 2, 1200, "12.00 USD"],
    [500, program({ points_per_currency_unit: 1 }), 2, 50_000, "500.00 USD at 1 point per unit"],
    [150, DEFAULT_PROGRAM, 0, 1, "1.5 yen rounded down to 1"],
    [100, program({ points_per_currency_unit: 3 }), 2, 3333, "33.33 rounded down"],
  ])("%i points → %i minor units (%s)", (points, settings, decimals, expected) => {
    expect(redemptionAmountMinor(points, settings, decimals)).toBe(expected)
  })
})

describe("redemptionAmountMinor: never more than a Medusa discount can hold", () => {
  it("refuses a code worth more than 2,147,483,647 minor units as INVALID_INPUT naming points (3-decimal currency)", () => {
    expect(() => redemptionAmountMinor(300_000_000, DEFAULT_PROGRAM, 3)).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", details: expect.objectContaining({ field: "points", max_amount_minor: 2_147_483_647 }) })
    )
  })

  it("allows exactly the largest storable discount", () => {
    expect(redemptionAmountMinor(2_147_483_647, program({ points_per_currency_unit: 100 }), 2)).toBe(2_147_483_647)
  })
})

describe("redemptionExpiresAt", () => {
  it.each([
    ["2024-05-01T10:00:00.000Z", 30, "2024-05-31T10:00:00.000Z"],
    ["2024-02-20T00:00:00.000Z", 10, "2024-03-01T00:00:00.000Z"],
    ["2024-12-31T23:59:59.000Z", 1, "2025-01-01T23:59:59.000Z"],
  ])("from %s with codes valid %i days → %s", (now, code_valid_days, expected) => {
    expect(redemptionExpiresAt(new Date(now), program({ code_valid_days })).toISOString()).toBe(expected)
  })
})

describe("redemptionCode", () => {
  const bytes = (...values: number[]) => Uint8Array.from({ length: 10 }, (_, i) => values[i] ?? 0)

  it.each([
    [bytes(), "LOYAL-2222-2222"],
    [bytes(255, 255, 255, 255, 255), "LOYAL-ZZZZ-ZZZZ"],
    [bytes(0b00001_000, 0b10_00011_0, 0b0100_0000), "LOYAL-3456-2222"],
  ])("maps %p to %s", (random, expected) => {
    expect(redemptionCode(random)).toBe(expected)
  })

  it("is deterministic and uses only unambiguous symbols (no 0, O, 1, I)", () => {
    const seen = new Set<string>()
    for (let seed = 0; seed < 500; seed++) {
      const random = Uint8Array.from(createHash("sha256").update(String(seed)).digest().subarray(0, 10))
      const code = redemptionCode(random)
      expect(code).toBe(redemptionCode(Uint8Array.from(random)))
      expect(code).toMatch(/^LOYAL-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
      seen.add(code)
    }
    expect(seen.size).toBe(500)
    expect(REDEMPTION_CODE_ALPHABET).not.toMatch(/[01OI]/)
    expect(new Set(REDEMPTION_CODE_ALPHABET).size).toBe(32)
  })

  it("refuses fewer than 10 random bytes", () => {
    expect(() => redemptionCode(new Uint8Array(9))).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })
})

describe("negativeBalanceVoidDraft", () => {
  const code = { redemption_id: "lred_1", customer_id: "cus_1", points: 500, code: "LOYAL-AAAA-BBBB", links: { promotion_id: "promo_1" } }

  it("gives an unused code's points back while the balance is below zero, under the code's one void key", () => {
    expect(negativeBalanceVoidDraft(code, -1)).toMatchObject({
      customer_id: "cus_1", kind: "redemption_void", points: 500, idempotency_key: "redemption_void:lred_1", source_id: "lred_1",
      reason: expect.stringMatching(/below zero/), details: { redemption_id: "lred_1", code: "LOYAL-AAAA-BBBB", promotion_id: "promo_1", balance_before: -1 },
    })
  })

  it.each([0, 1, 500])("voids nothing once the balance is %i, which ends the voiding", (balance) => {
    expect(negativeBalanceVoidDraft(code, balance)).toBeNull()
  })
})
