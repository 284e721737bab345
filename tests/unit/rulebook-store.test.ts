import fs from "fs"
import os from "os"
import path from "path"
import { loadRules, requireRulebook } from "../../src/utils/rulebook-store"

const shipped = path.join(__dirname, "../../rules")

/** A copy of the shipped rules in a temp dir, so a test can break it. */
function copyOfShippedRules(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-rules-"))
  for (const f of fs.readdirSync(shipped).filter((n) => n.endsWith(".json"))) {
    fs.copyFileSync(path.join(shipped, f), path.join(dir, f))
  }
  return dir
}

describe("the live rulebook of a rules directory", () => {
  it("keeps the previous rulebook live when a reload finds a broken file, and reports where", () => {
    const dir = copyOfShippedRules()
    const first = loadRules(dir, new Date("2026-01-01T00:00:00Z"))
    expect(first.error).toBeNull()
    const version = first.rulebook!.version

    const tiers = JSON.parse(fs.readFileSync(path.join(dir, "tiers.json"), "utf8"))
    tiers.tiers[2].conditions.all[0].value = 500 // gold below silver: unreachable
    fs.writeFileSync(path.join(dir, "tiers.json"), JSON.stringify(tiers, null, 2))
    const second = loadRules(dir, new Date("2026-01-02T00:00:00Z"))

    expect(second.rulebook!.version).toBe(version)
    expect(second.loaded_at).toEqual(new Date("2026-01-01T00:00:00Z"))
    expect(second.error!.issues[0]).toMatchObject({ file: "tiers.json", pointer: expect.stringContaining("/tiers/2/") })
    expect(requireRulebook(second).version).toBe(version)
  })

  it("has no rulebook and a typed RULES_UNAVAILABLE error when the first load fails", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-rules-"))
    fs.writeFileSync(path.join(dir, "accrual.json"), '{ "kind": "accrual", "rules": [ }')
    const state = loadRules(dir, new Date("2026-01-01T00:00:00Z"))
    expect(state.rulebook).toBeNull()
    expect(() => requireRulebook(state)).toThrow(
      expect.objectContaining({ code: "RULES_UNAVAILABLE", message: expect.stringContaining("accrual.json:1:") })
    )
  })

  it("reports an unreadable directory as an issue instead of throwing", () => {
    const state = loadRules(path.join(os.tmpdir(), "loyalty-no-such-dir-xyz"), new Date("2026-01-01T00:00:00Z"))
    expect(state.rulebook).toBeNull()
    expect(state.error!.issues[0].message).toContain("cannot read rules directory")
  })
})
