import { InvalidArgumentError } from "commander"

/** `--now`: an ISO date (2025-03-01) or date-time (2025-03-01T02:00:00Z); anything else is a usage error. */
export function parseNow(value: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : new Date(NaN)
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(`expected an ISO date such as 2025-03-01 or 2025-03-01T02:00:00Z, got "${value}"`)
  }
  return date
}

/** Prints `value` as JSON or as `text(value)`. */
export function print<T>(value: T, json: boolean, text: (v: T) => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text(value)}\n`)
}
