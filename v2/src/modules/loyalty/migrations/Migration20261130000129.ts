import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261130000129 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "loyalty_account" add column if not exists "tier_below_since" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "loyalty_account" drop column if exists "tier_below_since";`);
  }

}
