/**
 * Typed entry point to the shared integration harness (plain CommonJS + JSDoc in scripts/lib, also used by
 * scripts/demo.mjs). Import from here in tests.
 */
export { startStore, createDatabase, dropDatabase, migratedTemplate, runMigrations, query, REPO_ROOT, settleEvents } from "../../scripts/lib/store"
export type { Store, StartStoreOptions } from "../../scripts/lib/store"
export {
  api,
  expectOk,
  createAdmin,
  createRegion,
  createProduct,
  createCustomer,
  placeOrder,
  waitFor,
} from "../../scripts/lib/commerce"
export type { Admin, Customer, ApiClient, ApiResponse } from "../../scripts/lib/commerce"
