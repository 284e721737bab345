import { model } from "@medusajs/framework/utils"

/**
 * A member's `metadata.birthday` seen set or changed (customer.created, customer.updated): `birthday` as it became
 * (null: removed), `changed_at` the customer's updated_at at that state. The birthday job refuses a birthday changed
 * in the last 30 days. Append-only (migration Migration20261205100000).
 */
const LoyaltyBirthdayChange = model
  .define("loyalty_birthday_change", {
    id: model.id({ prefix: "lbch" }).primaryKey(),
    customer_id: model.text(),
    birthday: model.text().nullable(),
    changed_at: model.dateTime(),
  })
  .indexes([{ on: ["customer_id", "changed_at"] }])

export default LoyaltyBirthdayChange
