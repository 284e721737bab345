/**
 * Canonical JSON: the same data always serializes to the same text, whatever the key order or whitespace of the
 * source. Used to stamp rulebooks with a content version.
 */
import { createHash } from "crypto"

/**
 * JSON text with object keys sorted (by UTF-16 code units) at every depth and no whitespace.
 * Invariant: canonicalJson(JSON.parse(canonicalJson(x))) === canonicalJson(x) for JSON data; `undefined`
 * properties are dropped like JSON.stringify does; non-finite numbers and non-JSON values throw.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`)
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`
  }
  if (typeof value === "object") {
    // Own enumerable keys only: a JSON-parsed "__proto__" key is an own property and is kept as data.
    const entries = Object.keys(value as object)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
    return `{${entries.join(",")}}`
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`)
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex")
}
