import { model } from "@medusajs/framework/utils"

/**
 * One loyalty account per customer. The points figures are caches of the ledger (balance = Σ entries), written only
 * by the ledger posting, under this row's lock, in the transaction that appends the entry. `points_lifetime` is
 * bigint in the database (migration Migration20261130000200: it outgrows integer; DML has no bigint number): pg
 * returns int8 as a string, so the service reads it back as a number (accountRow).
 */
const LoyaltyAccount = model
  .define("loyalty_account", {
    id: model.id({ prefix: "lacc" }).primaryKey(),
    customer_id: model.text(),
    points_balance: model.number().default(0),
    points_lifetime: model.number().default(0),
    points_pending: model.number().default(0),
    tier: model.text().nullable(),
    /**
     * When the member was first found below `tier` during a downgrade grace period; null otherwise (the core's
     * recomputeTier reads and sets it).
     */
    tier_below_since: model.dateTime().nullable(),
  })
  .indexes([{ on: ["customer_id"], unique: true }])

export default LoyaltyAccount
