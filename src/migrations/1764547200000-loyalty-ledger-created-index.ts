import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * The store-wide activity chart (GET /admin/loyalty/stats/activity) reads the ledger by time across every member:
 * per-day sums of a date range, and the total of the entries after it (the outstanding points are Σ balances minus
 * what came later).
 * Keyed on created_at so a range is a range scan; kind and points ride along (INCLUDE) so both reads are
 * index-only scans and never visit the heap. The member reads have their own index (customer_id, created_at).
 * A plain CREATE INDEX (migrations run in a transaction): it blocks ledger writes while it builds (about 1–2 s
 * per million entries on a small machine).
 */
export class LoyaltyLedgerCreatedIndex1764547200000 implements MigrationInterface {
  name = "LoyaltyLedgerCreatedIndex1764547200000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_loyalty_ledger_entry_created" ON "loyalty_ledger_entry" ("created_at") INCLUDE ("kind", "points")`
    )
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "idx_loyalty_ledger_entry_created"`)
  }
}
