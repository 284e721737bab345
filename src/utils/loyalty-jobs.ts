import type { ActivationCounts } from "../services/loyalty-activation"
import type LoyaltyActivationService from "../services/loyalty-activation"
import type { ExpiryCounts } from "../services/loyalty-expiry"
import type LoyaltyExpiryService from "../services/loyalty-expiry"
import type { TierCounts } from "../services/loyalty-tier"
import type LoyaltyTierService from "../services/loyalty-tier"

/** What the periodic jobs need from a container: Medusa's awilix container or a request scope. */
export type Resolver = { resolve<T = unknown>(name: string): T; hasRegistration?(name: string): boolean }

export type ExpireJobResult = {
  /** Redemption codes past their date voided (points given back) first, so they are not expired with the rest. */
  redemptions: Record<string, unknown> | null
  expiry: ExpiryCounts
}

/**
 * The expire job, shared by the scheduled job, the admin route and the CLI: void expired redemption codes (when
 * the redemption capability is installed), then expire points as of `now`.
 */
export async function runExpireJob(container: Resolver, now: Date): Promise<ExpireJobResult> {
  const redemption = optional<{ voidExpired(now: Date): Promise<Record<string, unknown>> }>(container, "loyaltyRedemptionService")
  const redemptions = redemption && typeof redemption.voidExpired === "function" ? await redemption.voidExpired(now) : null
  const expiry = await container.resolve<LoyaltyExpiryService>("loyaltyExpiryService").expireAll(now)
  return { redemptions, expiry }
}

/** The activation job: pending points of orders whose pending period is over become available. */
export async function runActivateJob(container: Resolver, now: Date): Promise<ActivationCounts> {
  return await container.resolve<LoyaltyActivationService>("loyaltyActivationService").activateDue(now)
}

/** The tiers job: every member's tier re-evaluated as of `now` (window facts, grace periods, members from before install). */
export async function runTiersJob(container: Resolver, now: Date): Promise<TierCounts> {
  return await container.resolve<LoyaltyTierService>("loyaltyTierService").reevaluateAll(now)
}

function optional<T>(container: Resolver, name: string): T | null {
  if (typeof container.hasRegistration === "function") {
    return container.hasRegistration(name) ? container.resolve<T>(name) : null
  }
  try {
    return container.resolve<T>(name)
  } catch {
    return null
  }
}
