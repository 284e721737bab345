import { loyaltyOf, promotionsOf, type Resolver } from "../../lib/container"

export type ExpireCounts = { examined: number; voided: number; settled: number; skipped: number; failed: number }

/**
 * The expiry sweep (for the scheduled job and POST /admin/loyalty/jobs/redemptions/expire): every reserved code past
 * expires_at that no order used gets its points back (`redemption_void`, key `redemption_void:{id}`: exactly once,
 * whatever the reruns), becomes voided and its v2 promotion inactive; a code an order used is settled instead.
 * One transaction per redemption, so one failure does not block the others.
 */
export async function expireRedemptions(scope: Resolver, now: Date = new Date()): Promise<ExpireCounts> {
  const loyalty = loyaltyOf(scope)
  const candidates = await loyalty.findRedemptions({ status: "reserved", expires_at_or_before: now })
  const counts: ExpireCounts = { examined: candidates.length, voided: 0, settled: 0, skipped: 0, failed: 0 }
  for (const candidate of candidates) {
    try {
      const { outcome, redemption } = await loyalty.voidExpiredRedemption(candidate.id, now)
      counts[outcome]++
      if (outcome === "voided" && redemption?.promotion_id) {
        await promotionsOf(scope).updatePromotions({ id: redemption.promotion_id, status: "inactive" })
      }
    } catch {
      counts.failed++
    }
  }
  // Codes voided earlier whose promotion is still active (a crash between the void and the update): switched off.
  const voided = await loyalty.findRedemptions({ status: "voided", has_promotion: true })
  if (voided.length) {
    const active = await promotionsOf(scope).listPromotions({ id: voided.map((r) => r.promotion_id), status: "active" }, { select: ["id"] })
    for (const p of active) await promotionsOf(scope).updatePromotions({ id: p.id, status: "inactive" })
  }
  return counts
}
