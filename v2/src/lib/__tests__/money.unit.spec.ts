import { toMinorUnits } from "../money"

describe("v2 amounts become the core's integer minor units", () => {
  it.each([
    [100, 2, 10000],
    [123.45, 2, 12345],
    ["123.45", 2, 12345],
    [{ value: "18.9981", precision: 20 }, 2, 1900],
    [0.1 + 0.2, 2, 30],
    [1000, 0, 1000],
    [12.3456, 3, 12346],
    [-5.5, 2, -550],
    [null, 2, 0],
    [undefined, 2, 0],
  ])("%p with %i decimals is %i minor units", (amount, decimals, expected) => {
    expect(toMinorUnits(amount, decimals)).toBe(expected)
  })
})
