import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261129234045 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "loyalty_rulebook" drop constraint if exists "loyalty_rulebook_version_unique";`);
    this.addSql(`alter table if exists "loyalty_ledger_entry" drop constraint if exists "loyalty_ledger_entry_idempotency_key_unique";`);
    this.addSql(`alter table if exists "loyalty_account" drop constraint if exists "loyalty_account_customer_id_unique";`);
    this.addSql(`create table if not exists "loyalty_account" ("id" text not null, "customer_id" text not null, "points_balance" integer not null default 0, "points_lifetime" integer not null default 0, "points_pending" integer not null default 0, "tier" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_account_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_account_deleted_at" ON "loyalty_account" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_loyalty_account_customer_id_unique" ON "loyalty_account" ("customer_id") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "loyalty_ledger_entry" ("id" text not null, "seq" serial, "account_id" text not null, "customer_id" text not null, "kind" text check ("kind" in ('accrual', 'activation', 'reversal', 'clawback', 'adjustment', 'redemption', 'redemption_void', 'expiry')) not null, "points" integer not null, "balance_after" integer not null, "pending_delta" integer not null default 0, "pending_after" integer not null default 0, "order_id" text null, "source_id" text null, "rule_names" jsonb not null default '[]', "rulebook_version" text null, "reason" text null, "actor_id" text null, "idempotency_key" text not null, "payload_hash" text not null, "details" jsonb not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_ledger_entry_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_ledger_entry_deleted_at" ON "loyalty_ledger_entry" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_loyalty_ledger_entry_idempotency_key_unique" ON "loyalty_ledger_entry" ("idempotency_key") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_ledger_entry_account_id_seq" ON "loyalty_ledger_entry" ("account_id", "seq") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_ledger_entry_customer_id_seq" ON "loyalty_ledger_entry" ("customer_id", "seq") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_ledger_entry_order_id" ON "loyalty_ledger_entry" ("order_id") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "loyalty_rulebook" ("id" text not null, "version" text not null, "files" jsonb not null, "loaded_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_rulebook_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_rulebook_deleted_at" ON "loyalty_rulebook" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_loyalty_rulebook_version_unique" ON "loyalty_rulebook" ("version") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "loyalty_account" cascade;`);

    this.addSql(`drop table if exists "loyalty_ledger_entry" cascade;`);

    this.addSql(`drop table if exists "loyalty_rulebook" cascade;`);
  }

}
