import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { runTiersJob } from "../../../../../workflows/jobs/tiers"
import { JobFailures, TierCounts } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

// No `now` override: a later clock would really end grace periods.
const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/jobs/tiers → { tiers: { accounts_checked, upgraded, downgraded, unchanged } } (the public
 * shape, docs/operations.md).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body ?? {}, "body")
  const { tiers, failures } = await runTiersJob(req.scope, new Date())
  res.json({ tiers, ...(failures.length ? { failures } : {}) })
})

export const openapi: RouteDocs = {
  POST: { summary: "Run the tiers job: re-evaluate every member's tier and group", query: NoQuery, body: Body, response: z.strictObject({ tiers: TierCounts, failures: JobFailures }) },
}
