import fs from "fs"
import os from "os"
import path from "path"
import { createAdmin, query, startStore, waitFor } from "../helpers/harness"
import type { Admin, Store } from "../helpers/harness"

/**
 * `watch_rules: true`: saving a rule file reloads the rulebook without a restart or an admin call; a broken save is
 * refused with located issues and the previous version keeps earning; fixing the file makes the fix live.
 */
describe("rules directory watching (watch_rules)", () => {
  let store: Store
  let admin: Admin
  let rulesDir: string
  const accrualPath = () => path.join(rulesDir, "accrual.json")
  const rules = async () => (await admin.api.get("/admin/loyalty/rules")).body.rules
  const withPoints = (points: number) => {
    const json = JSON.parse(fs.readFileSync(path.join(__dirname, "../../rules/accrual.json"), "utf8"))
    json.rules[0].event.params.points = points
    return JSON.stringify(json, null, 2)
  }

  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-watch-"))
    const source = path.join(__dirname, "../../rules")
    for (const f of fs.readdirSync(source).filter((n) => n.endsWith(".json"))) fs.copyFileSync(path.join(source, f), path.join(rulesDir, f))
    store = await startStore({ pluginOptions: { rules_dir: rulesDir, watch_rules: true } })
    admin = await createAdmin(store)
  })

  afterAll(async () => {
    await store?.stop()
    if (rulesDir) fs.rmSync(rulesDir, { recursive: true, force: true })
  })

  it("makes a saved edit live within a second, stores the new version, and refuses a broken save keeping the last good one", async () => {
    const v1 = (await rules()).version
    fs.writeFileSync(accrualPath(), withPoints(3))
    const v2 = await waitFor(async () => ((await rules()).version !== v1 ? (await rules()).version : undefined), { description: "the edited rulebook goes live", timeoutMs: 120_000 })
    expect(v2).toMatch(/^[0-9a-f]{64}$/)
    expect((await query(store.databaseUrl, `SELECT count(*)::int AS n FROM loyalty_rulebook WHERE version = $1`, [v2]))[0].n).toBe(1)

    fs.writeFileSync(accrualPath(), withPoints(3).replace('"equal"', '"equals"'))
    const refused = await waitFor(async () => (await rules()).last_reload_error ?? undefined, { description: "the broken save is refused", timeoutMs: 120_000 })
    expect(refused.issues[0]).toMatchObject({ file: "accrual.json", message: expect.stringContaining("did you mean 'equal'?") })
    expect((await rules()).version).toBe(v2)

    fs.writeFileSync(accrualPath(), withPoints(4))
    const v3 = await waitFor(async () => {
      const r = await rules()
      return r.version !== v2 && r.last_reload_error === null ? r.version : undefined
    }, { description: "the fixed file goes live", timeoutMs: 120_000 })
    expect(v3).not.toBe(v1)
  })
})
