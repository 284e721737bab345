import { model } from "@medusajs/framework/utils"

/**
 * One tier change of a member (append-only, so the history cannot be rewritten: a database trigger refuses UPDATE and
 * DELETE, migration Migration20261130010000). `from_tier` is null for a member's first tier; `reason` says what
 * triggered the evaluation (a ledger kind, "enrolled") and what the core decided. Written by the ledger posting, in
 * its transaction.
 */
const LoyaltyTierChange = model
  .define("loyalty_tier_change", {
    id: model.id({ prefix: "ltch" }).primaryKey(),
    customer_id: model.text(),
    from_tier: model.text().nullable(),
    to_tier: model.text(),
    reason: model.text(),
    rulebook_version: model.text().nullable(),
  })
  .indexes([{ on: ["customer_id", "created_at"] }])

export default LoyaltyTierChange
