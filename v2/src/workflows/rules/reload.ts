/** POST /admin/loyalty/rules/reload: re-reads the rules directory and, when valid, makes the rulebook live. */
import type { RulebookState } from "../../core/domain/rules/rulebook-state"
import { loyaltyOf, type Resolver } from "../../lib/container"
import { reconcilePromotions, type ReconcileResult } from "../promotions/reconcile"

export type RulesReload =
  | { state: RulebookState; refused: true }
  | { state: RulebookState; refused: false; promotions: ReconcileResult | { error: string } }

/**
 * An invalid rulebook is refused and the previous one stays live. A valid one is stored by version and the member
 * promotions are reconciled to it; the rulebook is live either way, so a reconcile failure comes back as
 * `promotions: { error }` rather than as a failed reload.
 */
export async function reloadRulebook(scope: Resolver): Promise<RulesReload> {
  const loyalty = loyaltyOf(scope)
  const state = loyalty.reloadRules()
  if (state.error) return { state, refused: true }
  await loyalty.rememberRulebook(state)
  const promotions = await reconcilePromotions(scope).catch((e: Error) => ({ error: e.message }))
  return { state, refused: false, promotions }
}
