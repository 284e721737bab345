import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Lifetime points only grow while a member earns and spends (redemptions and expiry do not lower them), so they can
 * pass PostgreSQL integer's 2,147,483,647 while the balance stays small: the posting then failed with "integer out of
 * range" (a 500, and an accrual lost in a subscriber). bigint holds them; the entity reads them back as JavaScript
 * numbers (exact up to Number.MAX_SAFE_INTEGER, which the ledger refuses to pass). Balances, pending points and each
 * movement stay integer: the ledger refuses a movement that would take them past it (a 400).
 * `down` narrows again and fails if a lifetime no longer fits: a loud refusal rather than silently clamped points.
 */
export class LoyaltyLifetimeBigint1764460800000 implements MigrationInterface {
  name = "LoyaltyLifetimeBigint1764460800000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "loyalty_account" ALTER COLUMN "points_lifetime" TYPE bigint`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "loyalty_account" ALTER COLUMN "points_lifetime" TYPE integer`)
  }
}
