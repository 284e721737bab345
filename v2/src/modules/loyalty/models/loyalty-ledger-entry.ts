import { model } from "@medusajs/framework/utils"
import { EntryKinds } from "../../../core/domain/ledger/ledger"

/**
 * The append-only points ledger (the same columns, kinds and idempotency keys as the v1 plugin's
 * loyalty_ledger_entry). A database trigger refuses UPDATE and DELETE (migration LoyaltyLedgerAppendOnly); the
 * idempotency key is unique over every row (a full unique index, not DML's partial one).
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
