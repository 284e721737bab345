/**
 * The OpenAPI contracts of member promotions (admin/loyalty/promotions, store/customers/me/loyalty/promotions), one
 * text for both majors: each major's route file exports `openapi` built from these. What differs is Medusa's own: a
 * tracked promotion is a v1 discount or a v2 promotion.
 */
import { z } from "zod"
import { NoQuery } from "../request-input"
import { CustomerPromotion, IsoDateTime } from "../response-schemas"
import { Refusals, type RouteDocs } from "../route-docs"

export type TrackedPromotionsAdapter = {
  /** The field naming this Medusa's record of the promotion (null until reconciled: `pending`), and what it is. */
  link: { field: "discount_id"; noun: "discount" } | { field: "promotion_id"; noun: "v2 promotion" }
}

/** GET /admin/loyalty/promotions. */
export function trackedPromotionsDocs({ link }: TrackedPromotionsAdapter): RouteDocs {
  const TrackedPromotion = z.strictObject({
    code: z.string(),
    status: z.enum(["active", "disabled", "pending"]),
    [link.field]: z.string().nullable(),
    customer_group_id: z.string(),
    member_count: z.number().int().min(0).meta({ description: "Customers in the promotion's customer group: the members whose cart takes its code." }),
    definition_hash: z.string(),
    rulebook_version: z.string(),
    disabled_at: IsoDateTime.nullable(),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
  })
  return {
    GET: {
      summary: `Tracked member promotions with their ${link.noun}, group, member count and status`,
      query: NoQuery,
      response: z.strictObject({ promotions: z.array(TrackedPromotion) }),
    },
  }
}

/** GET /store/customers/me/loyalty/promotions. */
export const memberPromotionsDocs: RouteDocs = {
  GET: {
    summary: "The member promotion codes I can use now",
    query: NoQuery,
    response: z.strictObject({ promotions: z.array(CustomerPromotion) }),
    errors: [Refusals.rulesUnavailable],
  },
}
