import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { z } from "zod"
import type LoyaltyRulesAdminService from "../../../../../services/loyalty-rules-admin"
import { route } from "../../../../_shared/handler"
import { NoQuery, parseInput } from "../../../../_shared/validate"

const FileInput = z
  .object({
    name: z.string().regex(/^[^/\\]{1,200}$/, "a file name (1–200 characters, no slashes), e.g. accrual.json"),
    content: z.string().max(1_000_000),
  })
  .strict()
const Body = z.object({ files: z.array(FileInput).min(1).max(100) }).strict()

/**
 * POST /admin/loyalty/rules/validate { files: [{ name, content }] } → { valid, version?, issues }: compiles the files
 * as one rulebook; nothing is applied. 200 even when invalid (400 only for a malformed body).
 */
export const POST = route(async (req: MedusaRequest, res: MedusaResponse) => {
  parseInput(NoQuery, req.query, "query")
  const { files } = parseInput(Body, req.body, "body")
  res.json(req.scope.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").validate(files))
})
