import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Earning actions (signup, birthday, referral, custom actions such as reviews): one row per reported action, ever.
 * The unique (type, reference) index makes "the same action earns once" a database fact; the row keeps what was
 * decided (awarded, refused by a limit, no rule) with the reasons, so a refusal is visible later although it wrote
 * no ledger entry. Rows are immutable (a trigger refuses UPDATE and DELETE), like the ledger.
 */
export class LoyaltyActions1764633600000 implements MigrationInterface {
  name = "LoyaltyActions1764633600000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_action" (
        "id" text PRIMARY KEY,
        "customer_id" text NOT NULL,
        "type" text NOT NULL,
        "reference" text NOT NULL,
        "occurred_at" timestamptz NOT NULL,
        "properties" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "payload_hash" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('awarded', 'refused', 'no_rule')),
        "points" integer NOT NULL DEFAULT 0,
        "rule_names" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "rulebook_version" text,
        "reasons" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "entry_id" text,
        "actor_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_loyalty_action_type_reference" ON "loyalty_action" ("type", "reference")`)
    // The member's earlier awards (limits) and the admin listing, newest first.
    await queryRunner.query(`CREATE INDEX "idx_loyalty_action_customer" ON "loyalty_action" ("customer_id", "occurred_at")`)
    await queryRunner.query(`
      CREATE FUNCTION "loyalty_action_immutable"() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty_action is immutable: % refused', TG_OP;
      END;
      $$ LANGUAGE plpgsql`)
    await queryRunner.query(`
      CREATE TRIGGER "loyalty_action_immutable"
      BEFORE UPDATE OR DELETE ON "loyalty_action"
      FOR EACH ROW EXECUTE FUNCTION "loyalty_action_immutable"()`)
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS "loyalty_action_immutable" ON "loyalty_action"`)
    await queryRunner.query(`DROP FUNCTION IF EXISTS "loyalty_action_immutable"()`)
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_action"`)
  }
}
