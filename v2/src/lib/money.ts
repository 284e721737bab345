/**
 * Medusa v2 keeps amounts in the currency's major unit as decimals (BigNumber: 123.45 EUR); the core's facts and
 * clawbacks are integer minor units (12345), so points arithmetic is exact. This is the one translation, at the
 * adapter edge: the decimal text is scaled by 10^decimals and rounded half away from zero to a whole minor unit (v2
 * keeps sub-cent precision in computed tax totals).
 */
export function toMinorUnits(amount: unknown, decimals: number): number {
  const text = decimalText(amount)
  if (text === null) return 0
  const negative = text.startsWith("-")
  const [whole, fraction = ""] = text.replace(/^[-+]/, "").split(".")
  const padded = (fraction + "0".repeat(decimals + 1)).slice(0, decimals + 1)
  const scaled = BigInt(whole || "0") * BigInt(10) ** BigInt(decimals) + BigInt(padded.slice(0, decimals) || "0")
  const rounded = Number(padded[decimals]) >= 5 ? scaled + BigInt(1) : scaled
  const value = Number(rounded)
  if (!Number.isSafeInteger(value)) throw new Error(`amount ${text} is out of the safe integer range in minor units`)
  return negative ? -value || 0 : value
}

/** The plain decimal text of a Medusa amount: a number, a numeric string, or a BigNumber ({ value } / { numeric }). */
function decimalText(amount: unknown): string | null {
  if (amount === null || amount === undefined) return null
  if (typeof amount === "number") {
    if (!Number.isFinite(amount)) return null
    // Up to 12 significant decimals, no exponent: 0.1 + 0.2 style float noise is cut before the rounding digit.
    return amount.toFixed(12).replace(/\.?0+$/, "")
  }
  if (typeof amount === "string") return /^[-+]?\d+(\.\d+)?$/.test(amount) ? amount : decimalText(Number(amount))
  if (typeof amount === "object") {
    const raw = amount as { value?: unknown; numeric?: unknown; toJSON?: () => unknown }
    if (typeof raw.value === "string" || typeof raw.value === "number") return decimalText(raw.value)
    if (raw.numeric !== undefined) return decimalText(raw.numeric)
    if (typeof raw.toJSON === "function") return decimalText(raw.toJSON())
  }
  return null
}

/** Integer minor units → v2's decimal major units (500 EUR cents → 5). */
export function toMajorUnits(minor: number, decimals: number): number {
  return Number((minor / 10 ** decimals).toFixed(decimals))
}
