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
import { REPO_ROOT as ROOT, query as sqlQuery, type Store as StoreHandle } from "../../scripts/lib/store"
import { waitFor as poll } from "../../scripts/lib/commerce"

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

/** The ledger columns the order tests compare: what an entry did to the balance and to pending points. */
const ORDER_ENTRY_COLUMNS = "kind, points, pending_delta, balance_after, pending_after"

/** An order's ledger entries in posting order, read from the store's database (`columns`: what the test compares). */
export function orderEntries(store: StoreHandle, order_id: string, columns: string = ORDER_ENTRY_COLUMNS): Promise<any[]> {
  return sqlQuery(store.databaseUrl, `SELECT ${columns} FROM loyalty_ledger_entry WHERE order_id = $1 ORDER BY seq`, [order_id])
}

/**
 * An order's ledger entries once there are at least `n` (the subscribers post them after the order's events, so a
 * test waits on the condition, with waitFor's generous limit, instead of sleeping).
 */
export function waitForOrderEntries(store: StoreHandle, order_id: string, n: number, columns: string = ORDER_ENTRY_COLUMNS): Promise<any[]> {
  return poll(async () => {
    const rows = await orderEntries(store, order_id, columns)
    return rows.length >= n ? rows : null
  }, { description: `${n} ledger entries for order ${order_id}` })
}
