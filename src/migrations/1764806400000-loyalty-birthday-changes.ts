import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Birthday changes: one row each time a member's `metadata.birthday` is seen to be set or changed (customer.created,
 * customer.updated), so the birthday job can refuse a birthday set or changed in the last 30 days. Append-only.
 */
export class LoyaltyBirthdayChanges1764806400000 implements MigrationInterface {
  name = "LoyaltyBirthdayChanges1764806400000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_birthday_change" (
        "id" bigserial PRIMARY KEY,
        "customer_id" text NOT NULL,
        "birthday" text,
        "changed_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`CREATE INDEX "idx_loyalty_birthday_change_customer" ON "loyalty_birthday_change" ("customer_id", "changed_at" DESC, "id" DESC)`)
    await queryRunner.query(`
      CREATE FUNCTION "loyalty_birthday_change_immutable"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty_birthday_change is immutable: % refused', TG_OP;
      END;
      $$ LANGUAGE plpgsql`)
    await queryRunner.query(`
      CREATE TRIGGER "loyalty_birthday_change_immutable" BEFORE UPDATE OR DELETE ON "loyalty_birthday_change"
      FOR EACH ROW EXECUTE FUNCTION "loyalty_birthday_change_immutable"()`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_birthday_change"`)
    await queryRunner.query(`DROP FUNCTION IF EXISTS "loyalty_birthday_change_immutable"()`)
  }
}
