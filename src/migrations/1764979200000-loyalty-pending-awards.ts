import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Pending action awards (referral awards waiting like their order's points): a partial index holding only the
 * award entries posted as pending, so the activation job finds them without scanning the ledger.
 */
export class LoyaltyPendingAwards1764979200000 implements MigrationInterface {
  name = "LoyaltyPendingAwards1764979200000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX "loyalty_ledger_entry_pending_award" ON "loyalty_ledger_entry" ("seq")
      WHERE "kind" = 'action' AND "pending_delta" > 0`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "loyalty_ledger_entry_pending_award"`)
  }
}
