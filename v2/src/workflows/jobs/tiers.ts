import type { MedusaContainer } from "@medusajs/framework/types"
import { eachAccount, type JobFailure } from "./each-account"
import { reevaluateTierWorkflow } from "./workflows"

export type TierCounts = { accounts_checked: number; upgraded: number; downgraded: number; unchanged: number }

/**
 * tiers: every member's tier re-evaluated as of `now` (window facts move with time, grace periods end; a change
 * emits `loyalty.tier_changed`), and their tier groups repaired.
 */
export async function runTiersJob(scope: MedusaContainer, now: Date): Promise<{ tiers: TierCounts; failures: JobFailure[] }> {
  const counts: TierCounts = { accounts_checked: 0, upgraded: 0, downgraded: 0, unchanged: 0 }
  const failures: JobFailure[] = []
  await eachAccount(scope, false, async (customer_id) => {
    counts.accounts_checked++
    try {
      const { result } = await reevaluateTierWorkflow(scope).run({ input: { customer_id, now: now.toISOString() } })
      const change = result?.change ?? "none"
      counts[change === "upgrade" ? "upgraded" : change === "downgrade" ? "downgraded" : "unchanged"]++
    } catch (e) {
      failures.push({ id: customer_id, message: (e as Error).message })
    }
  })
  return { tiers: counts, failures }
}
