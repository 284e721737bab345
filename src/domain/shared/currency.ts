/**
 * Decimal places of ISO 4217 currencies as Medusa stores amounts (minor units = 10^-decimals of the major unit).
 * Only the exceptions are listed; everything else has 2.
 */

/** Currencies without a minor unit: 1 JPY is stored as 1. */
const ZERO_DECIMAL = new Set([
  "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
])

/** Currencies with a thousandth minor unit: 1 KWD is stored as 1000. */
const THREE_DECIMAL = new Set(["bhd", "jod", "kwd", "omr", "tnd"])

/**
 * Decimal places of `code` (case-insensitive): 0, 3 or 2.
 * Invariant: total function — unknown codes get 2, Medusa's default.
 */
export function currencyDecimals(code: string): number {
  const normalized = code.trim().toLowerCase()
  if (ZERO_DECIMAL.has(normalized)) return 0
  if (THREE_DECIMAL.has(normalized)) return 3
  return 2
}
