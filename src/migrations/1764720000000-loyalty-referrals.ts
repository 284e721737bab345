import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Referrals. `loyalty_referral_code`: each member's code (derived from the customer id, stored the first time it is
 * shown so a typed code finds its owner). `loyalty_referral`: the code a new member attached, one per member, ever
 * (the primary key makes a second attach a database fact), with the referrer. Both are append-only (a trigger
 * refuses UPDATE and DELETE); what a referral earned lives in loyalty_action and the ledger.
 */
export class LoyaltyReferrals1764720000000 implements MigrationInterface {
  name = "LoyaltyReferrals1764720000000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_referral_code" (
        "code" text PRIMARY KEY,
        "customer_id" text NOT NULL UNIQUE,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`
      CREATE TABLE "loyalty_referral" (
        "referred_id" text PRIMARY KEY,
        "referrer_id" text NOT NULL,
        "code" text NOT NULL,
        "attached_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CHECK ("referred_id" <> "referrer_id")
      )`)
    await queryRunner.query(`CREATE INDEX "idx_loyalty_referral_referrer" ON "loyalty_referral" ("referrer_id")`)
    await queryRunner.query(`
      CREATE FUNCTION "loyalty_referral_immutable"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION '% is immutable: % refused', TG_TABLE_NAME, TG_OP;
      END;
      $$ LANGUAGE plpgsql`)
    for (const table of ["loyalty_referral_code", "loyalty_referral"]) {
      await queryRunner.query(`
        CREATE TRIGGER "${table}_immutable" BEFORE UPDATE OR DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION "loyalty_referral_immutable"()`)
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_referral"`)
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_referral_code"`)
    await queryRunner.query(`DROP FUNCTION IF EXISTS "loyalty_referral_immutable"()`)
  }
}
