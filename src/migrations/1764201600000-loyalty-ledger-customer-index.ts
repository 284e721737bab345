import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * The member reads filter the ledger by customer: points of the last 365 days (member facts, read by every tier
 * evaluation, so by every accrual, and by the balance page) and the open lots of the expiry estimate. Without an
 * index PostgreSQL scanned the whole ledger (0.25–0.35 s at 1M entries). Keyed on (customer_id, created_at) so the
 * 365-day window is a range; kind, points and seq ride along (INCLUDE) so both reads are index-only scans and never
 * visit the heap pages, where one member's entries lie scattered among everyone else's.
 * A plain CREATE INDEX (migrations run in a transaction): it blocks ledger writes while it builds (about 2 s per
 * million entries on a small machine).
 */
export class LoyaltyLedgerCustomerIndex1764201600000 implements MigrationInterface {
  name = "LoyaltyLedgerCustomerIndex1764201600000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_loyalty_ledger_entry_customer_created" ON "loyalty_ledger_entry" ("customer_id", "created_at") INCLUDE ("kind", "points", "seq")`
    )
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "idx_loyalty_ledger_entry_customer_created"`)
  }
}
