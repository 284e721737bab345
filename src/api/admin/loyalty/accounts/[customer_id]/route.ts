import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { route } from "../../../../_shared/handler"
import { memberAccount } from "../../../../_shared/members"
import { serializeAccount } from "../../../../_shared/serialize"
import { liveTiers } from "../../../../_shared/tiers"
import { z } from "zod"
import { Account } from "../../../../_shared/response-schemas"
import { Refusals, type RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/** GET /admin/loyalty/accounts/:customer_id → that customer's account (404 for an unknown customer). */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const account = await memberAccount(req, req.params.customer_id)
  res.json({ loyalty_account: serializeAccount(account, liveTiers(req)) })
})

export const openapi: RouteDocs = {
  GET: {
    summary: "A customer's loyalty account (opened on first need)",
    query: NoQuery,
    response: z.strictObject({ loyalty_account: Account }),
    errors: [Refusals.notFound("no such customer")],
  },
}
