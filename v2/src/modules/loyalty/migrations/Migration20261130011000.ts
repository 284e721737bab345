import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/** The member promotions the plugin created in the v2 promotion module, so it never touches the store's own. */
export class Migration20261130011000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "loyalty_promotion" ("id" text not null, "code" text not null, "promotion_id" text null, "customer_group_id" text not null, "definition_hash" text not null, "rulebook_version" text not null, "disabled_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "loyalty_promotion_pkey" primary key ("id"));`)
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_loyalty_promotion_deleted_at" ON "loyalty_promotion" ("deleted_at") WHERE deleted_at IS NULL;`)
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "uq_loyalty_promotion_code" ON "loyalty_promotion" ("code");`)
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "loyalty_promotion" cascade;`)
  }
}
