import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/**
 * Written by hand (DML has no bigint number): lifetime points only grow while a member earns and spends (redemptions
 * and expiry do not lower them), so they can pass PostgreSQL integer's 2,147,483,647 while the balance stays small;
 * the posting would then fail with "integer out of range". bigint holds them (the Medusa 1 plugin's migration
 * 1764460800000 widens the same column for the same reason); the service reads them back as JavaScript numbers (exact
 * up to Number.MAX_SAFE_INTEGER, which the core's ledger refuses to pass). `down` narrows again and fails if a
 * lifetime no longer fits.
 */
export class Migration20261130000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE "loyalty_account" ALTER COLUMN "points_lifetime" TYPE bigint;`)
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE "loyalty_account" ALTER COLUMN "points_lifetime" TYPE integer;`)
  }
}
