import fs from "fs"
import path from "path"
import { DataSource } from "typeorm"
import { createDatabase, dropDatabase, migratedTemplate, query, REPO_ROOT } from "../helpers/harness"

type Migration = { name: string; up(q: unknown): Promise<void>; down(q: unknown): Promise<void> }

/** The plugin's migrations as Medusa runs them (dist/migrations), oldest first. */
function pluginMigrations(): Migration[] {
  const dir = path.join(REPO_ROOT, "dist", "migrations")
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".js"))
    .sort()
    .map((f) => {
      const mod = require(path.join(dir, f))
      const Class = Object.values(mod).find((v) => typeof v === "function") as new () => Migration
      return new Class()
    })
}

const indexes = async (url: string): Promise<string[]> =>
  (await query(url, `SELECT indexname FROM pg_indexes WHERE tablename LIKE 'loyalty_%' ORDER BY 1`)).map((r) => r.indexname)

const tables = async (url: string): Promise<string[]> =>
  (await query(url, `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'loyalty_%' ORDER BY 1`)).map(
    (r) => r.table_name
  )

/** Every plugin migration has a working `down`: on a fully migrated store they undo cleanly and redo cleanly. */
describe("plugin migrations", () => {
  const base = process.env.LOYALTY_TEST_DATABASE_URL || process.env.DATABASE_URL || ""
  let db: { name: string; url: string }
  let dataSource: DataSource

  beforeAll(async () => {
    // A copy of a store migrated exactly like `medusa migrations run` (core + plugin migrations).
    db = await createDatabase(base, "loyalty_migrations", await migratedTemplate(base, {}))
    dataSource = new DataSource({ type: "postgres", url: db.url })
    await dataSource.initialize()
  })

  afterAll(async () => {
    await dataSource?.destroy()
    if (db) await dropDatabase(base, db.name)
  })

  it("undoes every plugin migration newest first, leaving no loyalty table, then redoes them", async () => {
    const migrations = pluginMigrations()
    expect(migrations.length).toBeGreaterThanOrEqual(4)
    const before = await tables(db.url)
    const indexesBefore = await indexes(db.url)
    expect(indexesBefore).toContain("idx_loyalty_ledger_entry_customer_created")
    expect(before).toEqual(expect.arrayContaining(["loyalty_account", "loyalty_ledger_entry", "loyalty_redemption"]))

    const runner = dataSource.createQueryRunner()
    try {
      for (const m of [...migrations].reverse()) await m.down(runner)
      expect(await tables(db.url)).toEqual([])
      expect(await query(db.url, `SELECT proname FROM pg_proc WHERE proname LIKE 'loyalty_%'`)).toEqual([])
      for (const m of migrations) await m.up(runner)
    } finally {
      await runner.release()
    }
    expect(await tables(db.url)).toEqual(before)
    expect(await indexes(db.url)).toEqual(indexesBefore)
  })
})
