import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { runReconcileJob } from "../../../../../workflows/jobs/reconcile"

// An ISO date (2025-03-01, midnight UTC) or date-time with an offset (2025-03-01T02:00:00Z): never a local time,
// so the window does not depend on the server's time zone.
const IsoDate = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "expected an ISO date such as 2025-03-01 or 2025-03-01T02:00:00Z" })
  .transform((v) => new Date(v))

const Body = z
  .object({
    since: IsoDate.optional(), // inclusive; default 30 days before until
    until: IsoDate.optional(), // exclusive; default now
    limit: z.number().int().min(1).max(10_000).default(1000), // most candidates to look at
  })
  .strict()

/**
 * POST /admin/loyalty/jobs/reconcile → { reconcile: { since, until, limit, scanned, applied: { accruals, reversals,
 * clawbacks }, already_seen, skipped, failures, complete, redemptions_settled } } (the public shape,
 * docs/operations.md, less `referrals`): applies the order events of the window the ledger has not seen, through the
 * subscribers' workflows, then settles redemption codes used by an order whose order.placed was lost.
 * `complete: false`: the limit stopped it, run again.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const body = parseInput(Body, req.body ?? {}, "body")
  res.json({ reconcile: await runReconcileJob(req.scope, { ...body, now: new Date() }) })
})
