import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Accounts and the append-only ledger. Raw SQL so the schema is exactly what we review.
 * The trigger makes the ledger append-only at the database level: corrections are new entries.
 */
export class LoyaltyLedger1763769600000 implements MigrationInterface {
  name = "LoyaltyLedger1763769600000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_account" (
        "id" text PRIMARY KEY,
        "customer_id" text NOT NULL,
        "points_balance" integer NOT NULL DEFAULT 0,
        "points_lifetime" integer NOT NULL DEFAULT 0,
        "points_pending" integer NOT NULL DEFAULT 0,
        "tier" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_loyalty_account_customer" ON "loyalty_account" ("customer_id")`)
    await queryRunner.query(`
      CREATE TABLE "loyalty_ledger_entry" (
        "id" text PRIMARY KEY,
        "seq" bigserial NOT NULL UNIQUE,
        "account_id" text NOT NULL REFERENCES "loyalty_account" ("id"),
        "customer_id" text NOT NULL,
        "kind" text NOT NULL,
        "points" integer NOT NULL,
        "balance_after" integer NOT NULL,
        "pending_delta" integer NOT NULL DEFAULT 0,
        "pending_after" integer NOT NULL DEFAULT 0,
        "order_id" text,
        "source_id" text,
        "rule_names" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "rulebook_version" text,
        "reason" text,
        "actor_id" text,
        "idempotency_key" text NOT NULL,
        "payload_hash" text NOT NULL,
        "details" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_loyalty_ledger_entry_idempotency_key" ON "loyalty_ledger_entry" ("idempotency_key")`
    )
    // Serves "newest first" listings per account and the balance_after chain check of verify without a sort.
    await queryRunner.query(`CREATE INDEX "idx_loyalty_ledger_entry_account" ON "loyalty_ledger_entry" ("account_id", "seq")`)
    await queryRunner.query(
      `CREATE INDEX "idx_loyalty_ledger_entry_order" ON "loyalty_ledger_entry" ("order_id") WHERE "order_id" IS NOT NULL`
    )
    await queryRunner.query(`
      CREATE FUNCTION "loyalty_ledger_entry_append_only"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty_ledger_entry is append-only: % refused (post a correcting entry instead)', TG_OP;
      END;
      $$ LANGUAGE plpgsql`)
    await queryRunner.query(`
      CREATE TRIGGER "loyalty_ledger_entry_append_only"
      BEFORE UPDATE OR DELETE ON "loyalty_ledger_entry"
      FOR EACH ROW EXECUTE FUNCTION "loyalty_ledger_entry_append_only"()`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS "loyalty_ledger_entry_append_only" ON "loyalty_ledger_entry"`)
    await queryRunner.query(`DROP FUNCTION IF EXISTS "loyalty_ledger_entry_append_only"()`)
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_ledger_entry"`)
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_account"`)
  }
}
