import { MigrationInterface, QueryRunner } from "typeorm"

/**
 * Claims: a redemption code pays for one order. The checkout inserts a claim in the transaction that creates the
 * order; the primary key on discount_id lets one cart win, whatever the timing (two carts completing at once: the
 * second insert waits for the first transaction and then conflicts). A claim is removed only inside the same
 * transaction when that checkout ends without an order (e.g. out of stock), so a committed claim means an order.
 */
export class LoyaltyRedemptionClaim1764374400000 implements MigrationInterface {
  name = "LoyaltyRedemptionClaim1764374400000"

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "loyalty_redemption_claim" (
        "discount_id" text PRIMARY KEY,
        "redemption_id" text NOT NULL UNIQUE REFERENCES "loyalty_redemption" ("id"),
        "cart_id" text NOT NULL,
        "customer_id" text NOT NULL,
        "order_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`)
    await queryRunner.query(`CREATE INDEX "idx_loyalty_redemption_claim_cart" ON "loyalty_redemption_claim" ("cart_id")`)
    // Reconcile and verify look for reserved redemptions an order used: by discount, only among reserved rows.
    await queryRunner.query(
      `CREATE INDEX "idx_loyalty_redemption_reserved_discount" ON "loyalty_redemption" ("discount_id") WHERE "status" = 'reserved'`
    )
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "idx_loyalty_redemption_reserved_discount"`)
    await queryRunner.query(`DROP TABLE IF EXISTS "loyalty_redemption_claim"`)
  }
}
