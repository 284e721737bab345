import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { NoQuery, parseInput } from "../../../../../core/domain/http/request-input"
import { rulesValidateBody, validateRuleFiles } from "../../../../../core/domain/http/rules-admin"
import { route } from "../../../../../lib/http"
import { rulesValidateDocs } from "../../../../../core/domain/http/contracts/rules"

/**
 * The contents' total: whole rule files, one limit on both majors so a rulebook one validates the other does too
 * (Medusa v2's JSON body parser must let a body of this size through to be reached).
 */
const RULES_VALIDATE_BODY_LIMIT_BYTES = 1_000_000
const Body = rulesValidateBody(RULES_VALIDATE_BODY_LIMIT_BYTES)

/**
 * POST /admin/loyalty/rules/validate { files: [{ name, content }] } → { valid, version?, issues }: compiles the files
 * as one rulebook; nothing is applied. 200 even when invalid (400 only for a malformed body).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { files } = parseInput(Body, req.body, "body")
  res.json(validateRuleFiles(files))
})

export const openapi = rulesValidateDocs(Body)
