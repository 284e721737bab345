import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput, ReconcileJobBody } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { runReconcileJob } from "../../../../../workflows/jobs/reconcile"
import { ReconcileResult } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

/**
 * POST /admin/loyalty/jobs/reconcile → { reconcile: { since, until, limit, scanned, applied: { accruals, reversals,
 * clawbacks }, already_seen, skipped, failures, complete, redemptions_settled } } (the public shape,
 * docs/operations.md, less `referrals`): applies the order events of the window the ledger has not seen, through the
 * subscribers' workflows, then settles redemption codes used by an order whose order.placed was lost.
 * `complete: false`: the limit stopped it, run again.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const body = parseInput(ReconcileJobBody, req.body ?? {}, "body")
  res.json({ reconcile: await runReconcileJob(req.scope, { ...body, now: new Date() }) })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Run the reconcile job: apply the order events of the window the ledger has not seen",
    description: "`complete: false` says the limit stopped the run: call it again to continue.",
    query: NoQuery,
    body: ReconcileJobBody,
    response: z.strictObject({ reconcile: ReconcileResult }),
  },
}
