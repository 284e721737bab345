import { decodeTime, encodeTime } from "ulid"
import { entityId } from "../../src/utils/entity-id"

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

describe("entityId: Medusa-shaped ids without a call into crypto per character", () => {
  it("is the prefix, an underscore and a 26-character ULID", () => {
    expect(entityId("lent")).toMatch(/^lent_[0-9A-HJKMNP-TV-Z]{26}$/)
  })

  it("encodes the millisecond in its first 10 characters as the ulid package does", () => {
    const at = Date.UTC(2026, 11, 6, 13, 30, 59, 123)
    const ulid = entityId("lent", at).slice("lent_".length)
    expect(ulid.slice(0, 10)).toBe(encodeTime(at, 10))
    expect(decodeTime(ulid)).toBe(at)
  })

  it("sorts ids of later milliseconds after earlier ones", () => {
    const ids = [0, 1, 31, 32, 1_000, 1_765_000_000_000].map((ms) => entityId("lent", ms))
    expect([...ids].sort()).toEqual(ids)
  })

  it("draws 16 random characters that differ from id to id and cover the whole alphabet evenly", () => {
    const at = 1_765_000_000_000
    const randoms = Array.from({ length: 20_000 }, () => entityId("lent", at).slice(-16))
    expect(new Set(randoms).size).toBe(randoms.length)
    const counts = new Map<string, number>()
    for (const r of randoms) for (const c of r) counts.set(c, (counts.get(c) ?? 0) + 1)
    expect([...counts.keys()].sort().join("")).toBe(CROCKFORD)
    const expected = (randoms.length * 16) / 32 // 10,000 per character
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.06)
  })
})
