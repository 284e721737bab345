import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { runExpireJob } from "../../../../../workflows/jobs/expire"
import { ExpiryCounts, JobFailures, ReminderCounts, VoidCounts } from "../../../../../core/domain/http/response-schemas"
import type { RouteDocs } from "../../../../../core/domain/http/route-docs"

// No `now` override: a run with a later clock would really expire members' points. Time travel is for
// tests (the job function in-process) and operators (`medusa exec … loyalty-jobs.js expire --now <date>`).
const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/jobs/expire → { expiry: { enabled, accounts_checked, entries_posted, points_expired },
 * redemptions, reminders: { enabled, accounts_checked, emitted } } (the public shape, docs/operations.md).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body ?? {}, "body")
  const { expiry, redemptions, reminders, failures } = await runExpireJob(req.scope, new Date())
  res.json({ expiry, redemptions, reminders, ...(failures.length ? { failures } : {}) })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Run the expire job: void expired redemption codes, expire points, then remind members whose points expire soon (loyalty.points_expiring)",
    query: NoQuery,
    body: Body,
    response: z.strictObject({ expiry: ExpiryCounts, redemptions: VoidCounts, reminders: ReminderCounts, failures: JobFailures }),
  },
}
