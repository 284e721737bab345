import { Modules } from "@medusajs/framework/utils"
import { createCampaignsWorkflow, updateCampaignsWorkflow } from "@medusajs/medusa/core-flows"
import { currencyDecimals } from "../../core/domain/shared/currency"
import {
  emptyPromotionReconcile,
  promotionDefinitionHash,
  promotionWindow,
  type PromotionDef,
  type PromotionReconcileResult,
  type PromotionWindow,
} from "../../core/domain/program/promotions"
import type { Rulebook } from "../../core/domain/rules/rulebook"
import { loyaltyOf, promotionsOf, type Resolver } from "../../lib/container"
import type { TrackedPromotionRow } from "../../modules/loyalty/types"
import { syncPromotionGroups } from "./groups"

/** The core's reconcile result (domain/program/promotions.ts), shared by both adapters. */
export type ReconcileResult = PromotionReconcileResult

/** The customer-group rule that restricts a member promotion to its group (recipe §5). */
export const GROUP_RULE_ATTRIBUTE = "customer.groups.id"

const customersOf = (scope: Resolver) => scope.resolve<any>(Modules.CUSTOMER)

/**
 * The v2 application method of a promotion's discount. Percentage: whole percent off the order ("total") or off
 * each item ("item"). Fixed: the rule files' minor units in the v2 decimal major units of its currency.
 */
export function applicationMethodOf(def: PromotionDef): Record<string, unknown> {
  const d = def.discount
  const target = d.allocation === "item" ? { target_type: "items", allocation: "each" } : { target_type: "order", allocation: "across" }
  if (d.type === "percentage") return { type: "percentage", value: d.value, ...target }
  return { type: "fixed", value: d.value / 10 ** currencyDecimals(d.currency_code), currency_code: d.currency_code, ...target }
}

async function groupIdFor(scope: Resolver, def: PromotionDef): Promise<string> {
  const customers = customersOf(scope)
  const [found] = await customers.listCustomerGroups({ name: def.customer_group }, { take: 1 })
  if (found) return found.id
  try {
    return (await customers.createCustomerGroups({ name: def.customer_group, metadata: { loyalty_promotion: def.code } })).id
  } catch (e) {
    const [raced] = await customers.listCustomerGroups({ name: def.customer_group }, { take: 1 })
    if (raced) return raced.id
    throw e
  }
}

/** The v2 campaign that carries a dated member promotion's window: one per promotion code, found by this identifier. */
export const campaignIdentifier = (code: string) => `loyalty-promotion:${code}`

const sameInstant = (a: Date | string | null | undefined, b: Date | null) => (a ? new Date(a).getTime() : null) === (b ? b.getTime() : null)

/**
 * A promotion's dates as v2 keeps them: on a campaign (v2 applies a promotion whose campaign has started and not
 * ended, `listActivePromotions`). Created or brought back to the rule files' window with Medusa's own
 * createCampaignsWorkflow / updateCampaignsWorkflow; none (null) for a promotion without dates. `changed`: the
 * campaign's dates had to be set.
 */
async function campaignFor(scope: Resolver, code: string, window: PromotionWindow): Promise<{ id: string | null; changed: boolean }> {
  if (!window.starts_at && !window.ends_at) return { id: null, changed: false }
  const campaign_identifier = campaignIdentifier(code)
  const [found] = await promotionsOf(scope).listCampaigns({ campaign_identifier }, { take: 1 })
  if (!found) {
    const { result } = await createCampaignsWorkflow(scope as any).run({
      input: { campaignsData: [{ name: `Loyalty promotion: ${code}`, campaign_identifier, starts_at: window.starts_at, ends_at: window.ends_at }] },
    })
    return { id: result[0].id, changed: true }
  }
  if (sameInstant(found.starts_at, window.starts_at) && sameInstant(found.ends_at, window.ends_at)) return { id: found.id, changed: false }
  await updateCampaignsWorkflow(scope as any).run({ input: { campaignsData: [{ id: found.id, starts_at: window.starts_at, ends_at: window.ends_at }] } })
  return { id: found.id, changed: true }
}

async function reconcileOne(scope: Resolver, def: PromotionDef, version: string, row: TrackedPromotionRow | undefined): Promise<"created" | "updated" | "unchanged" | { conflict: string }> {
  const promotions = promotionsOf(scope)
  const holders = await promotions.listPromotions({ code: def.code }, { select: ["id", "code"] })
  const holder = holders[0]?.id ?? null
  if (holder && holder !== row?.promotion_id) {
    return { conflict: `a promotion with code ${def.code} (${holder}) exists that the loyalty plugin did not create; it is left untouched` }
  }
  const hash = promotionDefinitionHash(def)
  const campaign = await campaignFor(scope, def.code, promotionWindow(def.discount))
  const group_id = await groupIdFor(scope, def)
  const rule = { attribute: GROUP_RULE_ATTRIBUTE, operator: "in", values: [group_id] }
  const limit = def.discount.usage_limit ?? null
  let promotion_id = holder
  let outcome: "created" | "updated" | "unchanged"
  if (!promotion_id) {
    const created = await promotions.createPromotions({
      code: def.code,
      type: "standard",
      status: "active",
      is_automatic: false,
      ...(limit !== null ? { limit } : {}),
      ...(campaign.id ? { campaign_id: campaign.id } : {}),
      application_method: applicationMethodOf(def),
      rules: [rule],
    })
    promotion_id = created.id
    outcome = "created"
  } else {
    const current = await promotions.retrievePromotion(promotion_id, { relations: ["rules", "rules.values", "application_method"] })
    const groupRules = (current.rules ?? []).filter((r: any) => r.attribute === GROUP_RULE_ATTRIBUTE)
    const ruleOk = groupRules.length === 1 && (groupRules[0].values ?? []).map((v: any) => v.value ?? v).join() === group_id
    const campaignOk = (current.campaign_id ?? null) === campaign.id && !campaign.changed
    const stale = row!.definition_hash !== hash || row!.disabled_at !== null || current.status !== "active" || !ruleOk || !campaignOk
    if (!stale) return "unchanged"
    await promotions.updatePromotions({ id: promotion_id, status: "active", limit, campaign_id: campaign.id, application_method: applicationMethodOf(def) })
    if (!ruleOk) {
      if (groupRules.length) await promotions.removePromotionRules(promotion_id, groupRules.map((r: any) => r.id))
      await promotions.addPromotionRules(promotion_id, [rule])
    }
    outcome = "updated"
  }
  await loyaltyOf(scope).trackPromotion({ code: def.code, promotion_id, customer_group_id: group_id, definition_hash: hash, rulebook_version: version, disabled_at: null })
  return outcome
}

/**
 * Makes the store's v2 promotions match the rule files' member promotions: per promotion its customer group and a
 * promotion restricted to it by a customer.groups.id rule, created or brought back to the definition; tracked
 * promotions no longer in the files are made inactive. Idempotent, and it never touches a promotion it did not create
 * (a code held by another promotion is a conflict). Then every member's promotion groups are re-synced when anything
 * changed.
 */
export async function reconcilePromotions(scope: Resolver, rulebook?: Rulebook): Promise<ReconcileResult> {
  const loyalty = loyaltyOf(scope)
  const book = rulebook ?? loyalty.getRulebook()
  const result: ReconcileResult = emptyPromotionReconcile(book.version)
  const tracked = new Map((await loyalty.trackedPromotions()).map((r) => [r.code, r]))
  for (const def of book.promotions) {
    try {
      const outcome = await reconcileOne(scope, def, book.version, tracked.get(def.code))
      if (typeof outcome === "string") result[outcome].push(def.code)
      else result.conflicts.push({ code: def.code, reason: outcome.conflict })
    } catch (e) {
      result.failed.push({ code: def.code, reason: (e as Error).message })
    }
  }
  const live = new Set(book.promotions.map((p) => p.code))
  for (const row of tracked.values()) {
    if (live.has(row.code) || row.disabled_at) continue
    try {
      if (row.promotion_id) await promotionsOf(scope).updatePromotions({ id: row.promotion_id, status: "inactive" })
      await loyalty.trackPromotion({ ...row, disabled_at: new Date() })
      result.disabled.push(row.code)
    } catch (e) {
      result.failed.push({ code: row.code, reason: (e as Error).message })
    }
  }
  if (result.created.length || result.updated.length || result.disabled.length) {
    for (const customer_id of await loyalty.memberIds()) await syncPromotionGroups(scope, customer_id, book)
  }
  return result
}
