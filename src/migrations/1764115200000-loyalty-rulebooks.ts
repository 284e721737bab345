import { MigrationInterface, QueryRunner } from "typeorm"

/** Every rulebook that has been live, by version: explains old entries after the rule files changed. */
export class LoyaltyRulebooks1764115200000 implements MigrationInterface {
  name = "LoyaltyRulebooks1764115200000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_rulebook" (
        "version" text PRIMARY KEY,
        "files" jsonb NOT NULL,
        "loaded_at" timestamptz NOT NULL DEFAULT now()
      )`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_rulebook"`)
  }
}
