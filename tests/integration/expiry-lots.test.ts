import { DataSource } from "typeorm"
import { addMonths, expiryDue, nextExpiry, type Movement } from "../../src/domain/ledger/expiry"
import { allMovements, expiryMovements } from "../../src/utils/expiry-lots-sql"
import { createDatabase, dropDatabase, migratedTemplate } from "../helpers/harness"

/**
 * The open lots computed in SQL (utils/expiry-lots-sql.ts) against the domain's FIFO over every movement, on random
 * histories in a migrated database (no store needed): credits, debits larger than the balance (negative balances
 * paid off later), zero-point entries, equal timestamps, and credits dated before earlier-posted ones (where the
 * SQL declines and every movement is replayed).
 */
describe("expiry lots computed in SQL", () => {
  const base = process.env.LOYALTY_TEST_DATABASE_URL || process.env.DATABASE_URL || ""
  let db: { name: string; url: string }
  let dataSource: DataSource

  beforeAll(async () => {
    db = await createDatabase(base, "loyalty_expiry_lots", await migratedTemplate(base, {}))
    dataSource = new DataSource({ type: "postgres", url: db.url })
    await dataSource.initialize()
  })

  afterAll(async () => {
    await dataSource?.destroy()
    if (db) await dropDatabase(base, db.name)
  })

  // A small seeded PRNG (mulberry32): the same histories on every run.
  function prng(seed: number): () => number {
    let a = seed
    return () => {
      a |= 0
      a = (a + 0x6d2b79f5) | 0
      let t = Math.imul(a ^ (a >>> 15), 1 | a)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }

  const DAY = 24 * 60 * 60 * 1000
  const start = Date.UTC(2024, 0, 31, 12, 0, 0, 123)

  /** Appends a history for a new member; `disorder` makes some credits dated before earlier-posted entries. */
  async function member(i: number, rnd: () => number, disorder: boolean): Promise<string> {
    const customer_id = `cus_lots_${i}`
    await dataSource.query(`INSERT INTO loyalty_account (id, customer_id) VALUES ($1, $2)`, [`lacc_lots_${i}`, customer_id])
    let t = start + Math.floor(rnd() * 40) * DAY
    const n = Math.floor(rnd() * 25)
    for (let k = 0; k < n; k++) {
      const r = rnd()
      const points = r < 0.55 ? 1 + Math.floor(rnd() * 300) : r < 0.9 ? -(1 + Math.floor(rnd() * 400)) : 0
      t += rnd() < 0.2 ? 0 : Math.floor(rnd() * 45 * DAY) // some equal timestamps
      const at = disorder && points > 0 && rnd() < 0.3 ? t - Math.floor(rnd() * 60 * DAY) : t
      await dataSource.query(
        `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, idempotency_key, payload_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, 0, $1, 'x', $6)`,
        [`lent_lots_${i}_${k}`, `lacc_lots_${i}`, customer_id, points > 0 ? "accrual" : "redemption", points, new Date(at)]
      )
    }
    return customer_id
  }

  it("give the same next expiry and the same due points as FIFO over every movement", async () => {
    const rnd = prng(20261122)
    const manager = dataSource.manager
    let compared = 0
    let reduced = 0
    for (let i = 0; i < 120; i++) {
      const customer_id = await member(i, rnd, i % 4 === 3)
      const all: Movement[] = await allMovements(manager, customer_id)
      const lots = await expiryMovements(manager, customer_id)
      if (lots.length < all.length) reduced++
      for (const months of [1, 6, 12]) {
        for (const offset_days of [0, 30, 200, 400, 800]) {
          const now = new Date(start + offset_days * DAY)
          expect({ customer_id, months, now, next: nextExpiry(lots, now, months) }).toEqual({
            customer_id, months, now, next: nextExpiry(all, now, months),
          })
          expect(expiryDue(lots, now, months)).toBe(expiryDue(all, now, months))
          compared++
        }
      }
    }
    expect(compared).toBe(120 * 15)
    expect(reduced).toBeGreaterThan(30) // the SQL did reduce most histories
  })

  it("decline a history with a credit dated before an earlier-posted credit, so every movement is replayed", async () => {
    const manager = dataSource.manager
    await dataSource.query(`INSERT INTO loyalty_account (id, customer_id) VALUES ('lacc_lots_x', 'cus_lots_x')`)
    const rows: [number, number][] = [[100, 10], [50, 5], [-60, 11]] // the second credit is dated before the first
    for (const [k, [points, day]] of rows.entries()) {
      await dataSource.query(
        `INSERT INTO loyalty_ledger_entry (id, account_id, customer_id, kind, points, balance_after, idempotency_key, payload_hash, created_at)
         VALUES ($1, 'lacc_lots_x', 'cus_lots_x', 'accrual', $2, 0, $1, 'x', $3)`,
        [`lent_lots_x_${k}`, points, new Date(start + day * DAY)]
      )
    }
    const movements = await expiryMovements(manager, "cus_lots_x")
    expect(movements).toHaveLength(3)
    // FIFO by date: the debit of 60 takes the 50 dated day 5 and 10 of the 100 dated day 10.
    expect(nextExpiry(movements, new Date(start), 1)).toEqual({ points: 90, expires_at: addMonths(new Date(start + 10 * DAY), 1) })
  })
})
