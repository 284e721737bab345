/**
 * The wire shapes of paying with points in the cart (both majors' routes): the body of POST
 * /store/carts/:id/loyalty/points and the answer of POST and DELETE. Amounts are integer minor units.
 */
import { z } from "zod"

const minor = (description: string) => z.number().int().meta({ description })

/** POST /store/carts/:id/loyalty/points: the points to apply (they replace any applied before). */
export const CartPointsBody = z
  .object({ points: z.number().int().meta({ description: "points to pay with; the program's min_points, step_points and max_cart_share_bps bound them" }) })
  .strict()

/** The cart's points after the call (none, points 0, after DELETE), the most it may take, and its totals with them. */
export const CartPointsResponse = z.strictObject({
  cart_points: z.strictObject({
    cart_id: z.string(),
    points: z.number().int(),
    amount_minor: minor("what the points pay, in minor units of the cart's currency"),
    currency_code: z.string(),
    max_points: z.number().int().meta({ description: "the most points this cart may take now (max_cart_share_bps of its goods, in step_points)" }),
    totals: z.strictObject({
      subtotal: minor("the cart's subtotal as Medusa answers it"),
      discount_total: minor("discounts (on v1 it includes the points, which are line adjustments there)"),
      shipping_total: minor("shipping"),
      tax_total: minor("tax"),
      total: minor("what is left to pay after the points"),
    }),
  }),
})
