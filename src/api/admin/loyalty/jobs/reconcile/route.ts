import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyJobsService from "../../../../../services/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { ReconcileResult } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput, ReconcileJobBody as Body } from "../../../../_shared/validate"

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
