import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/**
 * Earning actions (signup, birthday, custom actions such as reviews) and birthday changes, the tables the Medusa 1
 * plugin keeps too. loyalty_action: one row per reported action, ever; the full (not partial) unique index on
 * (type, reference) makes "the same action earns once" a database fact, and the row keeps what was decided
 * (awarded, refused by a limit, no rule) with the reasons, so a refusal stays visible although it wrote no entry.
 * loyalty_birthday_change: one row each time a member's metadata.birthday is seen set or changed (the birthday job
 * refuses a birthday changed in the last 30 days). Both are append-only: a trigger refuses UPDATE and DELETE.
 */
export class Migration20261205100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "loyalty_action" ("id" text not null, "customer_id" text not null, "type" text not null, "reference" text not null, "occurred_at" timestamptz not null, "properties" jsonb not null default '{}', "payload_hash" text not null, "status" text check ("status" in ('awarded', 'refused', 'no_rule')) not null, "points" integer not null default 0, "rule_names" jsonb not null default '[]', "rulebook_version" text null, "reasons" jsonb not null default '[]', "entry_id" text null, "actor_id" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_action_pkey" primary key ("id"));`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_action_deleted_at" ON "loyalty_action" ("deleted_at") WHERE deleted_at IS NULL;`)
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_action_type_reference" ON "loyalty_action" ("type", "reference");`)
    // The member's earlier awards (limits) and the admin listing, newest first.
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_action_customer_id_occurred_at" ON "loyalty_action" ("customer_id", "occurred_at");`)
    this.addSql(`create table if not exists "loyalty_birthday_change" ("id" text not null, "customer_id" text not null, "birthday" text null, "changed_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_birthday_change_pkey" primary key ("id"));`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_birthday_change_deleted_at" ON "loyalty_birthday_change" ("deleted_at") WHERE deleted_at IS NULL;`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_birthday_change_customer_id_changed_at" ON "loyalty_birthday_change" ("customer_id", "changed_at");`)
    for (const table of ["loyalty_action", "loyalty_birthday_change"]) {
      this.addSql(`
        CREATE OR REPLACE FUNCTION "${table}_append_only"() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '${table} is append-only: % refused', TG_OP;
        END;
        $$ LANGUAGE plpgsql;`)
      this.addSql(`DROP TRIGGER IF EXISTS "${table}_append_only" ON "${table}";`)
      this.addSql(`
        CREATE TRIGGER "${table}_append_only"
        BEFORE UPDATE OR DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION "${table}_append_only"();`)
    }
  }

  override async down(): Promise<void> {
    for (const table of ["loyalty_birthday_change", "loyalty_action"]) {
      this.addSql(`DROP TRIGGER IF EXISTS "${table}_append_only" ON "${table}";`)
      this.addSql(`DROP FUNCTION IF EXISTS "${table}_append_only"();`)
      this.addSql(`drop table if exists "${table}" cascade;`)
    }
  }
}
