import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/**
 * Tier history (the table the Medusa 1 plugin keeps too, loyalty_tier_change): one row per tier change of a member,
 * append-only at the database level (a trigger refuses UPDATE and DELETE, so deleted_at is never set either).
 */
export class Migration20261130010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "loyalty_tier_change" ("id" text not null, "customer_id" text not null, "from_tier" text null, "to_tier" text not null, "reason" text not null, "rulebook_version" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_tier_change_pkey" primary key ("id"));`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_tier_change_deleted_at" ON "loyalty_tier_change" ("deleted_at") WHERE deleted_at IS NULL;`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_tier_change_customer_id_created_at" ON "loyalty_tier_change" ("customer_id", "created_at") WHERE deleted_at IS NULL;`)
    this.addSql(`
      CREATE OR REPLACE FUNCTION "loyalty_tier_change_append_only"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty_tier_change is append-only: % refused', TG_OP;
      END;
      $$ LANGUAGE plpgsql;`)
    this.addSql(`DROP TRIGGER IF EXISTS "loyalty_tier_change_append_only" ON "loyalty_tier_change";`)
    this.addSql(`
      CREATE TRIGGER "loyalty_tier_change_append_only"
      BEFORE UPDATE OR DELETE ON "loyalty_tier_change"
      FOR EACH ROW EXECUTE FUNCTION "loyalty_tier_change_append_only"();`)
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TRIGGER IF EXISTS "loyalty_tier_change_append_only" ON "loyalty_tier_change";`)
    this.addSql(`DROP FUNCTION IF EXISTS "loyalty_tier_change_append_only"();`)
    this.addSql(`drop table if exists "loyalty_tier_change" cascade;`)
  }
}
