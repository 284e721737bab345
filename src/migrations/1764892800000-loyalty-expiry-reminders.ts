import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Expiry reminders: one row per member and expiry date for which `loyalty.points_expiring` was emitted (the primary
 * key makes "once per member per expiry date" a database fact). Append-only.
 */
export class LoyaltyExpiryReminders1764892800000 implements MigrationInterface {
  name = "LoyaltyExpiryReminders1764892800000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_expiry_reminder" (
        "customer_id" text NOT NULL,
        "expires_on" date NOT NULL,
        "points" integer NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("customer_id", "expires_on")
      )`)
    await queryRunner.query(`
      CREATE FUNCTION "loyalty_expiry_reminder_immutable"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty_expiry_reminder is immutable: % refused', TG_OP;
      END;
      $$ LANGUAGE plpgsql`)
    await queryRunner.query(`
      CREATE TRIGGER "loyalty_expiry_reminder_immutable" BEFORE UPDATE OR DELETE ON "loyalty_expiry_reminder"
      FOR EACH ROW EXECUTE FUNCTION "loyalty_expiry_reminder_immutable"()`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_expiry_reminder"`)
    await queryRunner.query(`DROP FUNCTION IF EXISTS "loyalty_expiry_reminder_immutable"()`)
  }
}
