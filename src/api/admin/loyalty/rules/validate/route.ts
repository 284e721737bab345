import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import type LoyaltyRulesAdminService from "../../../../../services/loyalty-rules-admin"
import { route } from "../../../../_shared/handler"
import { rulesValidateDocs } from "../../../../../domain/http/contracts/rules"
import { RulesValidateBody as Body } from "../../../../_shared/rule-files"
import { NoQuery, parseInput } from "../../../../_shared/validate"

/**
 * POST /admin/loyalty/rules/validate { files: [{ name, content }] } → { valid, version?, issues }: compiles the files
 * as one rulebook; nothing is applied. 200 even when invalid (400 only for a malformed body).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { files } = parseInput(Body, req.body, "body")
  res.json(req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").validate(files))
})

export const openapi = rulesValidateDocs(Body)
