/**
 * A store started by this repository's scripts on a machine that has never run Medusa: no `~/.config/medusa`, no
 * `MEDUSA_DISABLE_TELEMETRY`, not a CI. The store runs in a child process whose HOME is a fresh empty directory,
 * exactly as a newcomer's laptop would be, and is used and stopped; meanwhile /proc is watched for Medusa's
 * telemetry sender (a detached `…/telemetry/dist/util/send.js` child that outlives its parent).
 */
import fs from "fs"
import os from "os"
import path from "path"
import { api, startStoreProcess } from "../helpers/harness"
import type { StoreProcess } from "../helpers/harness"
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { telemetrySenders } = require("../../scripts/lib/offline-medusa")

describe("a store on a machine without any Medusa config", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-fresh-home-"))
  const senders = new Map<number, string>()
  let output = ""
  let watcher: NodeJS.Timeout | undefined
  let store: StoreProcess | undefined

  // Senders of this test's store only: they inherit its HOME.
  const watch = () => {
    for (const s of telemetrySenders((environ: string[]) => environ.includes(`HOME=${home}`))) senders.set(s.pid, s.cmdline)
  }

  beforeAll(async () => {
    watcher = setInterval(watch, 100)
    store = await startStoreProcess(
      { pluginOptions: {} },
      {
        // What a fresh machine has: a HOME with nothing in it, and none of the variables a run may have set.
        env: {
          HOME: home,
          XDG_CONFIG_HOME: undefined,
          MEDUSA_DISABLE_TELEMETRY: undefined,
          DO_NOT_TRACK: undefined,
          LOYALTY_MEDUSA_CONFIG_HOME: undefined,
          CI: undefined,
        },
        onOutput: (chunk) => (output += chunk),
      }
    )
    // The plugin answers (a guest gets 401 from its store route), and Medusa's own routes serve.
    const mine = await api(store.baseUrl).get("/store/customers/me/loyalty")
    const products = await api(store.baseUrl).get("/store/products")
    if (mine.status !== 401 || products.status !== 200) throw new Error(`store answered ${mine.status} / ${products.status}`)
    await store.stop()
    store = undefined
    // The sender is forked on the store process's exit: keep watching a while after it.
    await new Promise((r) => setTimeout(r, 3000))
    watch()
  }, 900_000)

  afterAll(async () => {
    clearInterval(watcher)
    await store?.stop()
    for (const pid of senders.keys()) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    fs.rmSync(home, { recursive: true, force: true })
  })

  it("starts no telemetry sender process", () => {
    expect([...senders.entries()]).toEqual([])
  })

  it("writes no Medusa config into the user's home", () => {
    expect(fs.existsSync(path.join(home, ".config", "medusa"))).toBe(false)
    expect(fs.readdirSync(home)).toEqual([])
  })

  it("prints no telemetry banner", () => {
    expect(output).not.toMatch(/anonymous usage analytics/)
  })
})
