import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Tiers: when a member was first seen below their tier (grace periods), and an append-only history of tier changes.
 */
export class LoyaltyTiers1763942400000 implements MigrationInterface {
  name = "LoyaltyTiers1763942400000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "loyalty_account" ADD COLUMN "tier_below_since" timestamptz NULL`)
    await queryRunner.query(`
      CREATE TABLE "loyalty_tier_change" (
        "id" text PRIMARY KEY,
        "customer_id" text NOT NULL,
        "from_tier" text,
        "to_tier" text NOT NULL,
        "reason" text NOT NULL,
        "rulebook_version" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`CREATE INDEX "idx_loyalty_tier_change_customer" ON "loyalty_tier_change" ("customer_id", "created_at")`)
    await queryRunner.query(`
      CREATE FUNCTION "loyalty_tier_change_append_only"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty_tier_change is append-only: % refused', TG_OP;
      END;
      $$ LANGUAGE plpgsql`)
    await queryRunner.query(`
      CREATE TRIGGER "loyalty_tier_change_append_only"
      BEFORE UPDATE OR DELETE ON "loyalty_tier_change"
      FOR EACH ROW EXECUTE FUNCTION "loyalty_tier_change_append_only"()`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS "loyalty_tier_change_append_only" ON "loyalty_tier_change"`)
    await queryRunner.query(`DROP FUNCTION IF EXISTS "loyalty_tier_change_append_only"()`)
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_tier_change"`)
    await queryRunner.query(`ALTER TABLE "loyalty_account" DROP COLUMN IF EXISTS "tier_below_since"`)
  }
}
