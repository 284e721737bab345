/** The services the workflows' helpers resolve from a container or a request scope. */
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { LOYALTY_MODULE } from "../modules/loyalty"
import type LoyaltyModuleService from "../modules/loyalty/service"
import type { Rulebook } from "../core/domain/rules/rulebook"

/** A Medusa container, a request scope or a step's container: anything that resolves registrations. */
export type Resolver = { resolve<T = any>(key: string): T }

/** Query's graph read (v2's cross-module reads). */
export type Query = { graph(input: Record<string, unknown>): Promise<{ data: any[]; metadata?: { count?: number } }> }

export const loyaltyOf = (scope: Resolver) => scope.resolve<LoyaltyModuleService>(LOYALTY_MODULE)
export const queryOf = (scope: Resolver) => scope.resolve<Query>(ContainerRegistrationKeys.QUERY)
export const promotionsOf = (scope: Resolver) => scope.resolve<any>(Modules.PROMOTION)

/** The live rulebook, or null when none is live (pages that show a tier must not fail for that). */
export function liveRulebookOrNull(scope: Resolver): Rulebook | null {
  try {
    return loyaltyOf(scope).getRulebook()
  } catch {
    return null
  }
}
