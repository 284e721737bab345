import { model } from "@medusajs/framework/utils"

/**
 * An earning action reported for a member (signup, birthday, or a custom type such as a review), stored once per
 * (type, reference) with what was decided: `awarded` (its ledger entry is `entry_id`), `refused` (every applying
 * rule had reached a limit: `reasons`), or `no_rule`. Append-only (migration Migration20261205100000: a full unique
 * index on type + reference, a trigger refusing UPDATE and DELETE).
 */
const LoyaltyAction = model
  .define("loyalty_action", {
    id: model.id({ prefix: "lact" }).primaryKey(),
    customer_id: model.text(),
    type: model.text(),
    reference: model.text(),
    occurred_at: model.dateTime(),
    properties: model.json(),
    /** What the action means (customer, type, reference, occurred_at as given, properties): a replay has the same hash. */
    payload_hash: model.text(),
    status: model.enum(["awarded", "refused", "no_rule"]),
    points: model.number().default(0),
    rule_names: model.json(),
    rulebook_version: model.text().nullable(),
    /** Why rules gave nothing: limit refusals `{ rule, limit, max, period, message }`, or a plain message. */
    reasons: model.json(),
    entry_id: model.text().nullable(),
    actor_id: model.text().nullable(),
  })
  .indexes([{ on: ["customer_id", "occurred_at"] }])

export default LoyaltyAction
