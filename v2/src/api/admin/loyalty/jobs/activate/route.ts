import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { runActivateJob } from "../../../../../workflows/jobs/activate"
import { ActivationCounts, JobFailures } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/jobs/activate → { activation: { orders_checked, entries_posted, points_activated } } (the
 * public shape, docs/operations.md, less `awards_checked`; server clock).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body ?? {}, "body")
  const { activation, failures } = await runActivateJob(req.scope, new Date())
  res.json({ activation, ...(failures.length ? { failures } : {}) })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Run the activation job: pending points whose conditions hold become available",
    query: NoQuery,
    body: Body,
    response: z.strictObject({ activation: ActivationCounts.omit({ awards_checked: true }), failures: JobFailures }),
  },
}
