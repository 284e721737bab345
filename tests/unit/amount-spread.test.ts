import { spreadAmountMinor } from "../../src/domain/program/amount-spread"

const sum = (xs: { amount_minor: number }[]) => xs.reduce((s, x) => s + x.amount_minor, 0)

describe("spreadAmountMinor", () => {
  it("splits in proportion to the goods, the shares summing to exactly the amount", () => {
    expect(spreadAmountMinor(500, [{ id: "a", goods_minor: 12345 }, { id: "b", goods_minor: 50000 }])).toEqual([
      { id: "a", amount_minor: 99 },
      { id: "b", amount_minor: 401 },
    ])
  })

  it("gives the units lost to rounding to the largest remainders, the first line on a tie", () => {
    const shares = spreadAmountMinor(100, [{ id: "a", goods_minor: 100 }, { id: "b", goods_minor: 100 }, { id: "c", goods_minor: 100 }])
    expect(shares.map((s) => s.amount_minor)).toEqual([34, 33, 33])
  })

  it("never puts more on a line than its goods, and nothing on a line without goods", () => {
    for (let amount = 0; amount <= 30; amount++) {
      const lines = [{ id: "a", goods_minor: 7 }, { id: "b", goods_minor: 0 }, { id: "c", goods_minor: 23 }]
      const shares = spreadAmountMinor(amount, lines)
      expect(sum(shares)).toBe(amount)
      shares.forEach((s, i) => expect(s.amount_minor).toBeLessThanOrEqual(lines[i].goods_minor))
      expect(shares[1].amount_minor).toBe(0)
    }
  })

  it("refuses an amount the lines cannot hold", () => {
    expect(() => spreadAmountMinor(31, [{ id: "a", goods_minor: 30 }])).toThrow(expect.objectContaining({ code: "LEDGER_INVARIANT" }))
  })
})
