/**
 * Typed entry point to the shared integration harness (plain CommonJS + JSDoc in scripts/lib, also used by
 * scripts/demo.mjs). Import from here in tests.
 */
export { startStore, createDatabase, dropDatabase, migratedTemplate, runMigrations, query, REPO_ROOT, settleEvents } from "../../scripts/lib/store"
export type { Store, StartStoreOptions } from "../../scripts/lib/store"
export { startStoreProcess, recordEvents } from "../../scripts/lib/store-process"
export type { StoreProcess, HandledEvents } from "../../scripts/lib/store-process"
export { probeRedis, probeRedisSync, eventQueueCounts, deleteRedisKeys, EVENT_BUS_PREFIX } from "../../scripts/lib/redis"
export {
  api,
  expectOk,
  createAdmin,
  createRegion,
  createProduct,
  createCustomer,
  prepareCart,
  selectManualPayment,
  placeOrder,
  redeemPoints,
  waitFor,
} from "../../scripts/lib/commerce"
export type { Admin, Customer, ApiClient, ApiResponse } from "../../scripts/lib/commerce"

import fs from "fs"
import os from "os"
import path from "path"
import { REPO_ROOT as ROOT } from "../../scripts/lib/store"

/**
 * A temporary copy of a rulebook directory (the shipped rules/, or `from`, e.g. an example under examples/rulebooks)
 * whose program.json has `program` merged in (e.g. `{ pending_days: 14 }`), for a store started with
 * `pluginOptions: { rules_dir: dir }`. `remove()` deletes it.
 */
export function rulesDirWithProgram(program: Record<string, unknown>, from: string = path.join(ROOT, "rules")): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-rules-"))
  fs.cpSync(from, dir, { recursive: true })
  const file = path.join(dir, "program.json")
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), ...program }, null, 2))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}
