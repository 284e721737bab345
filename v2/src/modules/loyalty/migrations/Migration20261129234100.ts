import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/**
 * Written by hand (the generated migration before it is DML's): what DML cannot declare.
 * - The ledger is append-only at the database level, so no code path can rewrite history: a trigger refuses UPDATE
 *   and DELETE (so a row's deleted_at can never be set either), corrections are new entries.
 * - Idempotency keys and one account per customer are unique over every row (DML's unique indexes are partial,
 *   WHERE deleted_at IS NULL).
 */
export class Migration20261129234100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_ledger_entry_idempotency_key" ON "loyalty_ledger_entry" ("idempotency_key");`)
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_account_customer" ON "loyalty_account" ("customer_id");`)
    this.addSql(`
      CREATE OR REPLACE FUNCTION "loyalty_ledger_entry_append_only"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty_ledger_entry is append-only: % refused (post a correcting entry instead)', TG_OP;
      END;
      $$ LANGUAGE plpgsql;`)
    this.addSql(`DROP TRIGGER IF EXISTS "loyalty_ledger_entry_append_only" ON "loyalty_ledger_entry";`)
    this.addSql(`
      CREATE TRIGGER "loyalty_ledger_entry_append_only"
      BEFORE UPDATE OR DELETE ON "loyalty_ledger_entry"
      FOR EACH ROW EXECUTE FUNCTION "loyalty_ledger_entry_append_only"();`)
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TRIGGER IF EXISTS "loyalty_ledger_entry_append_only" ON "loyalty_ledger_entry";`)
    this.addSql(`DROP FUNCTION IF EXISTS "loyalty_ledger_entry_append_only"();`)
    this.addSql(`DROP INDEX IF EXISTS "uq_loyalty_account_customer";`)
    this.addSql(`DROP INDEX IF EXISTS "uq_loyalty_ledger_entry_idempotency_key";`)
  }
}
