import { model } from "@medusajs/framework/utils"

/**
 * A rulebook that has been live in this store, stored by content version the first time it went live (never
 * updated): `files` are the exact texts it was compiled from, so an entry's `rulebook_version` can be recompiled
 * and explained after the rule files changed.
 */
const LoyaltyRulebook = model
  .define("loyalty_rulebook", {
    id: model.id({ prefix: "lrb" }).primaryKey(),
    version: model.text(),
    files: model.json(),
    loaded_at: model.dateTime(),
  })
  .indexes([{ on: ["version"], unique: true }])

export default LoyaltyRulebook
