import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { runActivateJob } from "../../../../../utils/loyalty-jobs"
import { route } from "../../../../_shared/handler"
import { NoQuery, parseInput } from "../../../../_shared/validate"

const Body = z.object({}).strict()

/** POST /admin/loyalty/jobs/activate → activates the pending points whose conditions hold (period over, payment captured; server clock). */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  parseInput(Body, req.body, "body")
  res.json({ activation: await runActivateJob(req.scope, new Date()) })
})
