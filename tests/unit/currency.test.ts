import { currencyDecimals } from "../../src/domain/shared/currency"

describe("currencyDecimals: decimal places of ISO currencies", () => {
  it.each(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"])(
    "zero-decimal currency %s has 0", (code) => {
      expect(currencyDecimals(code)).toBe(0)
    })

  it.each(["bhd", "jod", "kwd", "omr", "tnd"])("three-decimal currency %s has 3", (code) => {
    expect(currencyDecimals(code)).toBe(3)
  })

  it.each(["usd", "eur", "gbp", "dkk", "xyz"])("other currency %s has 2", (code) => {
    expect(currencyDecimals(code)).toBe(2)
  })

  it.each([["JPY", 0], ["Kwd", 3], ["EUR", 2], [" jpy ", 0]])("ignores case and surrounding spaces: %s → %i", (code, expected) => {
    expect(currencyDecimals(code)).toBe(expected)
  })
})
