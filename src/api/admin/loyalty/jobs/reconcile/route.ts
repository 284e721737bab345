import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyJobsService from "../../../../../services/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { ReconcileResult } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

// An ISO date (2025-03-01, midnight UTC) or date-time with an offset (2025-03-01T02:00:00Z).
const IsoDate = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "expected an ISO date such as 2025-03-01 or 2025-03-01T02:00:00Z" })
  .transform((v) => new Date(v))

const Body = z
  .object({
    since: IsoDate.optional().meta({ description: "inclusive; default 30 days before until" }),
    until: IsoDate.optional().meta({ description: "exclusive; default now" }),
    limit: z.number().int().min(1).max(10_000).default(1000).meta({ description: "most candidates to look at (default 1000)" }),
  })
  .strict()

/** POST /admin/loyalty/jobs/reconcile → applies the order events of the window the ledger has not seen; the counts. */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const body = parseInput(Body, req.body, "body")
  res.json({ reconcile: await req.scope.resolve<LoyaltyJobsService>("loyaltyJobsService").reconcile(body, new Date()) })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Run the reconcile job: apply the order events of the window the ledger has not seen",
    description: "`complete: false` says the limit stopped the run: call it again to continue.",
    query: NoQuery,
    body: Body,
    response: z.strictObject({ reconcile: ReconcileResult }),
  },
}
