import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesAdminService from "../../../../services/loyalty-rules-admin"
import { route } from "../../../_shared/handler"
import type { RouteDocs } from "../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../_shared/validate"

const Int = z.number().int()
const Program = z.object({
  negative_balance: z.enum(["allow", "stop_at_zero"]),
  redemption: z.object({ points_per_currency_unit: Int, min_points: Int, step_points: Int, code_valid_days: Int }),
  expiry: z.object({ after_months: Int }).nullable(),
  pending_days: Int,
  spendable_on: z.enum(["placed", "captured"]),
  timezone: z.string().meta({ description: "IANA time zone of the store calendar (local date, weekday and hour facts, action limits, birthdays)" }),
  expiry_reminder_days: Int.meta({ description: "days before points expire that loyalty.points_expiring is emitted; 0: never" }),
  referral: z.object({ attach_within_days: Int }),
})
const Response = z.object({
  plugin_options: z.object({ rules_dir: z.string(), auto_enroll: z.boolean(), watch_rules: z.boolean() }),
  program: Program.nullable(),
  rulebook_version: z.string().nullable(),
  docs: z.record(z.string(), z.string()),
})

/**
 * GET /admin/loyalty/settings → { plugin_options: { rules_dir, auto_enroll, watch_rules }, program, rulebook_version,
 * docs }: the plugin options as parsed (no secrets among them), the live program settings and rulebook version
 * (null when no rulebook is live), and the package's docs by name as paths relative to the package root. Read-only.
 */
export const GET = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  res.json(req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").settings())
})

export const openapi: RouteDocs = {
  GET: { summary: "Plugin options, live program settings and rulebook version, documentation files", query: NoQuery, response: Response },
}
