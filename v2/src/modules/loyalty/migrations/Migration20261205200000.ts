import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/**
 * Referrals and expiry reminders (the Medusa 1 plugin's tables, the same columns):
 * - loyalty_referral_code: each member's code, stored the first time it is shown so that a typed code finds its owner;
 * - loyalty_referral: the code a member attached (one per member, ever: the primary key);
 * - loyalty_expiry_reminder: one row per member and expiry date for which `loyalty.points_expiring` was emitted (the
 *   primary key makes "once per member per expiry date" a database fact); append-only by trigger.
 * Raw SQL tables of the module's stores (stores/referrals.ts, stores/reminders.ts): no DML model, no snapshot entry.
 */
export class Migration20261205200000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "loyalty_referral_code" ("code" text not null, "customer_id" text not null, "created_at" timestamptz not null default now(), constraint "loyalty_referral_code_pkey" primary key ("code"));`)
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_referral_code_customer_id" ON "loyalty_referral_code" ("customer_id");`)
    this.addSql(`create table if not exists "loyalty_referral" ("referred_id" text not null, "referrer_id" text not null, "code" text not null, "attached_at" timestamptz not null, "created_at" timestamptz not null default now(), constraint "loyalty_referral_pkey" primary key ("referred_id"));`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_referral_referrer_id" ON "loyalty_referral" ("referrer_id");`)
    this.addSql(`create table if not exists "loyalty_expiry_reminder" ("customer_id" text not null, "expires_on" date not null, "points" integer not null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), constraint "loyalty_expiry_reminder_pkey" primary key ("customer_id", "expires_on"));`)
    this.addSql(`CREATE OR REPLACE FUNCTION "loyalty_expiry_reminder_immutable"() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'loyalty_expiry_reminder is immutable: % refused', TG_OP; END; $$ LANGUAGE plpgsql;`)
    this.addSql(`DROP TRIGGER IF EXISTS "loyalty_expiry_reminder_immutable" ON "loyalty_expiry_reminder";`)
    this.addSql(`CREATE TRIGGER "loyalty_expiry_reminder_immutable" BEFORE UPDATE OR DELETE ON "loyalty_expiry_reminder" FOR EACH ROW EXECUTE FUNCTION "loyalty_expiry_reminder_immutable"();`)
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "loyalty_expiry_reminder" cascade;`)
    this.addSql(`drop function if exists "loyalty_expiry_reminder_immutable"();`)
    this.addSql(`drop table if exists "loyalty_referral" cascade;`)
    this.addSql(`drop table if exists "loyalty_referral_code" cascade;`)
  }
}
