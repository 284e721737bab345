/**
 * The wire shapes of paying with points in the cart (both majors' routes): the body of POST
 * /store/carts/:id/loyalty/points and the answer of POST and DELETE. Amounts are integer minor units.
 */
import { z } from "zod"

/** POST /store/carts/:id/loyalty/points: the points to apply (they replace any applied before). */
export const CartPointsBody = z
  .object({ points: z.number().int().meta({ description: "points to pay with; the program's min_points, step_points and max_cart_share_bps bound them" }) })
  .strict()

/** The cart's points after the call: none (points 0, amount 0) after DELETE. */
export const CartPointsResponse = z.strictObject({
  cart_points: z.strictObject({
    cart_id: z.string(),
    points: z.number().int(),
    amount: z.number().int().meta({ description: "what the points pay, in minor units of the cart's currency" }),
    currency_code: z.string(),
    cart_total: z.number().int().meta({ description: "the cart's total after the points, in minor units" }),
  }),
})
