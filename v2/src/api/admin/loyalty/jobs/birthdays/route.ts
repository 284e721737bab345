import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { route } from "../../../../../lib/http"
import { runBirthdaysJob } from "../../../../../workflows/actions/report"
import { BirthdayCounts } from "../../../../../core/domain/http/response-schemas"
import { Refusals, type RouteDocs } from "../../../../../core/domain/http/route-docs"

// No `now` override, like the other job routes: time travel is for the script's --now.
const Body = z.object({}).strict()

/**
 * POST /admin/loyalty/jobs/birthdays → { birthdays: { local_date, candidates, awarded, already, recent_change, refused,
 * no_rule, failed } }: the birthday action for members whose birthday is today in the program's time zone.
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body ?? {}, "body")
  res.json({ birthdays: await runBirthdaysJob(req.scope, new Date()) })
})

export const openapi: RouteDocs = {
  POST: {
    summary: "Run the birthdays job: the birthday action for members whose birthday is today in the program's time zone",
    description: "Once per member and year (reference `<customer>:<year>`); a birthday set or changed in the last 30 days earns nothing.",
    query: NoQuery,
    body: Body,
    response: z.strictObject({ birthdays: BirthdayCounts }),
    errors: [Refusals.rulesUnavailable],
  },
}
