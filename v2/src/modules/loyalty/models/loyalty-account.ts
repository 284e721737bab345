import { model } from "@medusajs/framework/utils"

/**
 * One loyalty account per customer. The points figures are caches of the ledger (balance = Σ entries), written only
 * by the ledger posting, under this row's lock, in the transaction that appends the entry.
 */
const LoyaltyAccount = model
  .define("loyalty_account", {
    id: model.id({ prefix: "lacc" }).primaryKey(),
    customer_id: model.text(),
    points_balance: model.number().default(0),
    points_lifetime: model.number().default(0),
    points_pending: model.number().default(0),
    tier: model.text().nullable(),
  })
  .indexes([{ on: ["customer_id"], unique: true }])

export default LoyaltyAccount
