import { MigrationInterface, QueryRunner } from "typeorm"

/** Redemptions: points exchanged for single-use Medusa discount codes (reserved → settled | voided). */
export class LoyaltyRedemption1763856000000 implements MigrationInterface {
  name = "LoyaltyRedemption1763856000000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_redemption" (
        "id" text PRIMARY KEY,
        "customer_id" text NOT NULL,
        "points" integer NOT NULL CHECK ("points" > 0),
        "amount_minor" integer NOT NULL CHECK ("amount_minor" > 0),
        "currency_code" text NOT NULL,
        "region_id" text NOT NULL,
        "discount_id" text NOT NULL,
        "discount_code" text NOT NULL,
        "cart_id" text,
        "status" text NOT NULL CHECK ("status" IN ('reserved', 'settled', 'voided')),
        "expires_at" timestamptz NOT NULL,
        "idempotency_key" text NOT NULL,
        "payload_hash" text NOT NULL,
        "order_id" text,
        "settled_at" timestamptz,
        "voided_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`CREATE INDEX "idx_loyalty_redemption_customer" ON "loyalty_redemption" ("customer_id", "created_at" DESC)`)
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_loyalty_redemption_discount_code" ON "loyalty_redemption" ("discount_code")`)
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_loyalty_redemption_idempotency_key" ON "loyalty_redemption" ("idempotency_key")`)
    // The expiry run looks for reserved codes past their date.
    await queryRunner.query(
      `CREATE INDEX "idx_loyalty_redemption_reserved" ON "loyalty_redemption" ("expires_at") WHERE "status" = 'reserved'`
    )
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_redemption"`)
  }
}
