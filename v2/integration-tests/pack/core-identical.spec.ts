import { execFileSync } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"

jest.setTimeout(600_000)

const V2 = path.resolve(__dirname, "../..")
const ROOT = path.resolve(V2, "..")

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(path.join(dir, d.name)).map((f) => path.join(d.name, f)) : [d.name]
  ).sort()
}

describe("the packed v2 plugin carries the repository's core byte for byte", () => {
  let pkg: string
  beforeAll(() => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-v2-pack-"))
    const env = { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1" }
    const tarball = execFileSync("npm", ["pack", "--pack-destination", out], { cwd: V2, env, encoding: "utf8" }).trim().split("\n").pop()!
    execFileSync("tar", ["-xzf", path.join(out, tarball), "-C", out])
    pkg = path.join(out, "package")
  })

  it("ships every file of the root's src/domain unchanged, and nothing else as core sources", () => {
    const root = filesUnder(path.join(ROOT, "src/domain"))
    expect(filesUnder(path.join(pkg, "src/core/domain"))).toEqual(root)
    for (const f of root) {
      expect([f, fs.readFileSync(path.join(pkg, "src/core/domain", f)).equals(fs.readFileSync(path.join(ROOT, "src/domain", f)))]).toEqual([f, true])
    }
  })

  it("ships the root's rules/ (the default program, schemas and golden tests) unchanged", () => {
    const root = filesUnder(path.join(ROOT, "rules"))
    expect(filesUnder(path.join(pkg, "rules"))).toEqual(root)
    for (const f of root) {
      expect([f, fs.readFileSync(path.join(pkg, "rules", f)).equals(fs.readFileSync(path.join(ROOT, "rules", f)))]).toEqual([f, true])
    }
  })

  it("runs the core compiled from exactly those sources: one .js per domain file, and the module, workflows and routes import it", () => {
    const compiled = filesUnder(path.join(pkg, ".medusa/server/src/core/domain"))
    expect(compiled).toEqual(filesUnder(path.join(ROOT, "src/domain")).map((f) => f.replace(/\.ts$/, ".js")))
    const service = fs.readFileSync(path.join(pkg, ".medusa/server/src/modules/loyalty/service.js"), "utf8")
    expect(service).toContain('require("../../core/domain/ledger/locked-posting")')
    // No second copy of the accrual arithmetic anywhere else in the package.
    const all = filesUnder(path.join(pkg, ".medusa/server/src")).filter((f) => f.endsWith(".js") && !f.startsWith("core/"))
    for (const f of all) expect([f, /function (evaluateAccrual|clawbackForRefund|planPosting)\b/.test(fs.readFileSync(path.join(pkg, ".medusa/server/src", f), "utf8"))]).toEqual([f, false])
  })

  it("ships the customer loyalty admin widget built by the plugin build (zone customer.details.after, an Idempotency-Key per adjustment)", () => {
    for (const f of ["index.js", "index.mjs"]) {
      const bundle = fs.readFileSync(path.join(pkg, ".medusa/server/src/admin", f), "utf8")
      expect([f, bundle.includes("customer.details.after")]).toEqual([f, true])
      expect([f, bundle.includes("idempotency-key"), bundle.includes("/adjustments"), bundle.includes("/entries")]).toEqual([f, true, true, true])
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8"))
    expect(manifest.exports["./admin"]).toMatchObject({ require: "./.medusa/server/src/admin/index.js" })
  })
})
