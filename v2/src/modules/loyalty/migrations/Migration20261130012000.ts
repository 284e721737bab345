import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/**
 * The ledger's kind check follows the core's EntryKinds, which gained "action" (earning actions) after the v2
 * ledger table was created: found by `plugin:db:generate` (the snapshot now matches the models again; the
 * loyalty_tier_change and loyalty_promotion tables are created by Migration20261130010000 and 20261130011000).
 */
export class Migration20261130012000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table if exists "loyalty_ledger_entry" drop constraint if exists "loyalty_ledger_entry_kind_check";`)
    this.addSql(`alter table if exists "loyalty_ledger_entry" add constraint "loyalty_ledger_entry_kind_check" check("kind" in ('accrual', 'activation', 'reversal', 'clawback', 'adjustment', 'redemption', 'redemption_void', 'expiry', 'action'));`)
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "loyalty_ledger_entry" drop constraint if exists "loyalty_ledger_entry_kind_check";`)
    this.addSql(`alter table if exists "loyalty_ledger_entry" add constraint "loyalty_ledger_entry_kind_check" check("kind" in ('accrual', 'activation', 'reversal', 'clawback', 'adjustment', 'redemption', 'redemption_void', 'expiry'));`)
  }
}
