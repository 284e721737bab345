import { model } from "@medusajs/framework/utils"

/**
 * One row per member promotion the plugin manages: the Medusa v2 promotion and customer group it created for a
 * promotion code of the rule files. This table is how the plugin knows which promotions are its own: a promotion with
 * a rule file's code that is not tracked here belongs to someone else and is never touched. `code` is unique over
 * every row (migration Migration20261130011000).
 */
const LoyaltyPromotion = model.define("loyalty_promotion", {
  id: model.id({ prefix: "lpromo" }).primaryKey(),
  code: model.text(),
  /** The v2 promotion; null while it cannot be created yet. */
  promotion_id: model.text().nullable(),
  customer_group_id: model.text(),
  /** sha256 of the canonical JSON of the definition as last reconciled. */
  definition_hash: model.text(),
  rulebook_version: model.text(),
  /** Set when the promotion left the rule files (its v2 promotion is made inactive); null while it is live. */
  disabled_at: model.dateTime().nullable(),
})

export default LoyaltyPromotion
