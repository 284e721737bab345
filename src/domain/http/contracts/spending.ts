/**
 * The OpenAPI contracts of spending points (store/customers/me/loyalty/redemptions, store/carts/:id/loyalty/points),
 * one text for both majors: each major's route file exports `openapi` built from these, so an error or a schema
 * cannot be documented on one major only. What differs is Medusa's own: a v1 discount or a v2 promotion, and how a
 * cart shows the points.
 */
import { z } from "zod"
import { CartPointsBody, CartPointsResponse } from "../cart-points"
import { IdempotencyHeaders, NoQuery, PageQuery, RedeemBody } from "../request-input"
import { listPage, Redemption } from "../response-schemas"
import { Refusals, type RouteDocs } from "../route-docs"

export type RedemptionsAdapter = {
  /** What the redeemed code is in this Medusa: a v1 discount or a v2 promotion. */
  code_kind: "discount" | "promotion"
  /** A bound on the points' value this Medusa adds to the core's (v1's discount amount has a largest value). */
  worth_at_most?: string
}

/** POST and GET /store/customers/me/loyalty/redemptions. */
export function redemptionsDocs({ code_kind, worth_at_most }: RedemptionsAdapter): RouteDocs {
  const worth = `worth less than one minor unit${worth_at_most ? ` or more than ${worth_at_most}` : ""}`
  return {
    POST: {
      summary: `Exchange points for a single-use ${code_kind} code (for a region, or applied to my cart)`,
      description: "Idempotent by Idempotency-Key: the same key and body answer the first redemption again (200).",
      query: NoQuery,
      headers: IdempotencyHeaders,
      body: RedeemBody,
      response: z.strictObject({ redemption: Redemption }),
      status: 201,
      alsoStatus: { 200: "A replay of the same Idempotency-Key and body: the first redemption" },
      errors: [
        Refusals.insufficientPoints("fewer points available than requested"),
        { status: 400, code: "INVALID_INPUT", when: `points the program does not allow (minimum, step) or ${worth}; a completed cart` },
        Refusals.notFound("no such region, or no such cart of mine"),
        Refusals.idempotencyConflict,
        Refusals.rulesUnavailable,
      ],
    },
    GET: { summary: "My redemptions, newest first", query: PageQuery, response: listPage("redemptions", Redemption) },
  }
}

/** The cart of /store/carts/:id/loyalty/points (the handlers read it from the path; this documents it). */
const CartPointsParams = z.object({ id: z.string().min(1).meta({ description: "my open cart" }) }).strict()
const notMine = Refusals.notFound("no such cart of mine")
const completed = { status: 400, code: "INVALID_INPUT", when: "the cart is already completed" }

/**
 * POST and DELETE /store/carts/:id/loyalty/points. `shown` is how this Medusa's cart shows the points at once (v1:
 * line-item adjustments; v2: a credit line).
 */
export function cartPointsDocs(shown: string): RouteDocs {
  return {
    POST: {
      summary: "Pay part of my cart with points (applied now, debited when the order is placed)",
      description: `Replaces the points on the cart. ${shown} Nothing is debited now: the cart's completion debits them, or answers 400 INSUFFICIENT_POINTS when the balance fell meanwhile (take the points off to complete without them).`,
      auth: "customer",
      params: CartPointsParams,
      query: NoQuery,
      body: CartPointsBody,
      response: CartPointsResponse,
      errors: [
        Refusals.insufficientPoints("fewer points available than applied"),
        { status: 400, code: "INVALID_INPUT", when: "points the program does not allow: below min_points, not a multiple of step_points, or worth more than max_cart_share_bps of the goods (details: max_points); a completed cart" },
        notMine,
        Refusals.rulesUnavailable,
      ],
    },
    DELETE: { summary: "Take the points off my cart", auth: "customer", params: CartPointsParams, query: NoQuery, response: CartPointsResponse, errors: [completed, notMine] },
  }
}
