import { model } from "@medusajs/framework/utils"
import { EntryKinds } from "../../../core/domain/ledger/ledger"

/**
 * The append-only points ledger: kinds are the core's EntryKinds and idempotency keys its EntryKeys
 * (core/domain/ledger), so the same event always lands under the same key. A database trigger refuses UPDATE and
 * DELETE (migration Migration20261129234100); the idempotency key is unique over every row (a full unique index, not
 * DML's partial one).
 */
const LoyaltyLedgerEntry = model
  .define("loyalty_ledger_entry", {
    id: model.id({ prefix: "lent" }).primaryKey(),
    seq: model.autoincrement(),
    account_id: model.text(),
    customer_id: model.text(),
    kind: model.enum([...EntryKinds]),
    points: model.number(),
    balance_after: model.number(),
    pending_delta: model.number().default(0),
    pending_after: model.number().default(0),
    order_id: model.text().nullable(),
    source_id: model.text().nullable(),
    rule_names: model.json().default([] as unknown as Record<string, unknown>),
    rulebook_version: model.text().nullable(),
    reason: model.text().nullable(),
    actor_id: model.text().nullable(),
    idempotency_key: model.text(),
    payload_hash: model.text(),
    details: model.json().default({}),
  })
  .indexes([
    { on: ["idempotency_key"], unique: true },
    { on: ["account_id", "seq"] },
    { on: ["customer_id", "seq"] },
    { on: ["order_id"] },
  ])

export default LoyaltyLedgerEntry
