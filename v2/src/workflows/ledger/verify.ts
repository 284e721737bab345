/** The integrity report of GET /admin/loyalty/verify. */
import type { VerifyReport } from "../../core/domain/ledger/verify"
import { loyaltyOf, type Resolver } from "../../lib/container"
import { redemptionVerifyProblems } from "../redemption/verify"

/**
 * The ledger's checks (the core's), and the redemption codes': codes are money at the checkout, so a used code must
 * be settled by exactly one order. ok: false with the problems on drift.
 */
export async function verifyLoyalty(scope: Resolver): Promise<VerifyReport> {
  const report = await loyaltyOf(scope).verifyLedger()
  const redemptions = await redemptionVerifyProblems(scope)
  return { ...report, ok: report.ok && !redemptions.length, problems: [...report.problems, ...redemptions] }
}
