import { MigrationInterface, QueryRunner } from "typeorm"

/** Member promotions: which Medusa discounts and customer groups the plugin created (and so may change). */
export class LoyaltyPromotions1764028800000 implements MigrationInterface {
  name = "LoyaltyPromotions1764028800000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_promotion" (
        "id" text PRIMARY KEY,
        "code" text NOT NULL,
        "discount_id" text,
        "customer_group_id" text NOT NULL,
        "definition_hash" text NOT NULL,
        "rulebook_version" text NOT NULL,
        "disabled_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_loyalty_promotion_code" ON "loyalty_promotion" ("code")`)
    await queryRunner.query(`CREATE INDEX "idx_loyalty_promotion_discount" ON "loyalty_promotion" ("discount_id")`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_promotion"`)
  }
}
