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
  waitFor,
} from "../../scripts/lib/commerce"
export type { Admin, Customer, ApiClient, ApiResponse } from "../../scripts/lib/commerce"
