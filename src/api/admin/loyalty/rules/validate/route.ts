import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import { rulesValidateBody } from "../../../../../domain/rules-admin"
import type LoyaltyRulesAdminService from "../../../../../services/loyalty-rules-admin"
import { route } from "../../../../_shared/handler"
import { RULES_VALIDATE_BODY_LIMIT_BYTES } from "../../../../_shared/input-guard"
import { RuleIssue } from "../../../../_shared/response-schemas"
import type { RouteDocs } from "../../../../_shared/route-docs"
import { NoQuery, parseInput } from "../../../../_shared/validate"

// The same limit as this route's body parser (middlewares.ts): the contents sit inside the body, so this check
// refuses nothing the parser let through unless a future parser limit grows; both say the same number.
const Body = rulesValidateBody(RULES_VALIDATE_BODY_LIMIT_BYTES)

/**
 * POST /admin/loyalty/rules/validate { files: [{ name, content }] } → { valid, version?, issues }: compiles the files
 * as one rulebook; nothing is applied. 200 even when invalid (400 only for a malformed body).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { files } = parseInput(Body, req.body, "body")
  res.json(req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").validate(files))
})

const Validation = z.union([
  z.strictObject({ valid: z.literal(true), version: z.string(), issues: z.array(RuleIssue).max(0) }),
  z.strictObject({ valid: z.literal(false), issues: z.array(RuleIssue) }),
])

export const openapi: RouteDocs = {
  POST: {
    summary: "Dry-run: compile rule files as one rulebook; nothing is applied",
    description: "200 even when the files are invalid (`valid: false` with the located issues); 400 only for a malformed body.",
    query: NoQuery,
    body: Body,
    response: Validation,
  },
}
