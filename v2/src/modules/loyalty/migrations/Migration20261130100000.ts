import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/**
 * Redemptions (points → a personal single-use v2 promotion code) and their uses by checkouts. The unique index on
 * loyalty_redemption_use.code is the database constraint that lets a code pay for at most one order.
 */
export class Migration20261130100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "loyalty_redemption" ("id" text not null, "customer_id" text not null, "points" integer not null, "amount_minor" integer not null, "currency_code" text not null, "region_id" text null, "code" text not null, "promotion_id" text null, "cart_id" text null, "status" text check ("status" in ('reserved', 'settled', 'voided')) not null default 'reserved', "expires_at" timestamptz not null, "order_id" text null, "settled_at" timestamptz null, "voided_at" timestamptz null, "idempotency_key" text not null, "payload_hash" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_redemption_pkey" primary key ("id"));`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_redemption_deleted_at" ON "loyalty_redemption" ("deleted_at") WHERE deleted_at IS NULL;`)
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_redemption_idempotency_key" ON "loyalty_redemption" ("idempotency_key");`)
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_redemption_code" ON "loyalty_redemption" ("code");`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_redemption_customer_id" ON "loyalty_redemption" ("customer_id", "created_at");`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_redemption_status_expires_at" ON "loyalty_redemption" ("status", "expires_at");`)
    this.addSql(`create table if not exists "loyalty_redemption_use" ("id" text not null, "code" text not null, "redemption_id" text not null, "cart_id" text not null, "customer_id" text null, "order_id" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_redemption_use_pkey" primary key ("id"));`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_redemption_use_deleted_at" ON "loyalty_redemption_use" ("deleted_at") WHERE deleted_at IS NULL;`)
    // A full (not partial) unique index: one use per code, ever, soft-deleted or not.
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_redemption_use_code" ON "loyalty_redemption_use" ("code");`)
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "loyalty_redemption_use" cascade;`)
    this.addSql(`drop table if exists "loyalty_redemption" cascade;`)
  }
}
