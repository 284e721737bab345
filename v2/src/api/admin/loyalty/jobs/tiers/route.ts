import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { runTiersJob } from "../../../../../workflows/jobs/tiers"

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
