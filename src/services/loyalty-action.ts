import { generateEntityId, TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { actionFacts, actionPayloadHash, evaluateAction, type ActionProperty, type ActionResult, type PastAward } from "../domain/program/action"
import type { PendingAwardTerms } from "../domain/ledger/activation"
import { actionDecision, actionReplay, assertActionMember } from "../domain/ledger/action"
import { LoyaltyAction } from "../models/loyalty-action"
import { LoyaltyLedgerEntry } from "../models/loyalty-ledger-entry"
import type LoyaltyLedgerService from "./loyalty-ledger"
import type LoyaltyRulesService from "./loyalty-rules"
import type LoyaltyTierService from "./loyalty-tier"
import { EntryKeys } from "../domain/ledger/entry-keys"

type InjectedDependencies = {
  manager: EntityManager
  loyaltyLedgerService: LoyaltyLedgerService
  loyaltyRulesService: LoyaltyRulesService
  loyaltyTierService: LoyaltyTierService
  eventBusService: { withTransaction(m: EntityManager): { emit(event: string, data: unknown): Promise<unknown> } }
}

/** An action as reported (by the merchant's backend, or by the plugin for signup, birthday and referral). */
export type ActionReport = {
  customer_id: string
  type: string
  reference: string
  /** ISO 8601 with an offset; omitted: the time it is recorded. */
  occurred_at?: string
  properties?: Record<string, ActionProperty>
  actor_id?: string | null
  /**
   * Plugin-internal (never from a route): the award waits in pending under these terms (a referral award under a
   * program with pending_days or spendable_on "captured"), activated by LoyaltyActivationService. Not part of the
   * payload hash: a redelivery after the order's capture replays the first outcome.
   */
  pending?: PendingAwardTerms
}

export type ActionOutcome = {
  /** awarded (an entry), refused (every fired rule at a limit), no_rule (no action rule applies). */
  status: "awarded" | "refused" | "no_rule"
  /** The action was recorded before (the same type + reference with the same data). */
  replayed: boolean
  action: LoyaltyAction
  entry: LoyaltyLedgerEntry | null
}

/**
 * Earning actions: records each (type, reference) once, ever, and awards what the action rules give, as one
 * `action` ledger entry under the account lock. A replay (same data) returns the first outcome; the same type and
 * reference with other data is an IDEMPOTENCY_CONFLICT. A limit that refuses leaves no entry, and the action row
 * keeps the reason.
 */
export default class LoyaltyActionService extends TransactionBaseService {
  static Events = {
    /** An action earned points: { customer_id, entry_id, action_id, type, reference, points, rule_names }. */
    POINTS_EARNED: "loyalty.points_earned",
  }

  protected readonly deps_: InjectedDependencies

  constructor(container: InjectedDependencies) {
    super(container)
    this.deps_ = container
  }

  /**
   * Records and awards an action exactly once per (type, reference). Concurrent identical reports serialize on the
   * member's row lock (the later ones replay); reports for different members with one reference meet at the unique
   * index, and the loser is retried once to answer a conflict rather than a database error.
   */
  async report(input: ActionReport, now: Date = new Date()): Promise<ActionOutcome> {
    try {
      return await this.reportOnce(input, now)
    } catch (e) {
      if ((e as { code?: unknown })?.code !== "23505") throw e
      return await this.reportOnce(input, now)
    }
  }

  private async reportOnce(input: ActionReport, now: Date): Promise<ActionOutcome> {
    return await this.atomicPhase_(async (manager) => {
      await this.assertMember(manager, input.customer_id)
      const rulebook = this.deps_.loyaltyRulesService.getRulebook()
      const properties = input.properties ?? {}
      const { pending: _terms, ...reported } = input
      const payload_hash = actionPayloadHash({ ...reported, occurred_at: input.occurred_at ?? null, properties })
      const key = EntryKeys.action(input.type, input.reference)
      const action_id = generateEntityId("", "lact")
      let decided: { row: Omit<LoyaltyAction, "created_at">; result: ActionResult } | null = null
      let existing: LoyaltyAction | null = null

      const posted = await this.deps_.loyaltyLedgerService.withTransaction(manager).postUnderLock(input.customer_id, key, async (ctx) => {
        existing = await findAction(ctx.manager, input.type, input.reference)
        if (existing) return null
        const member = await this.deps_.loyaltyTierService.withTransaction(ctx.manager).memberFacts(input.customer_id, now)
        const occurred_at = input.occurred_at ?? now.toISOString()
        const facts = { action: actionFacts({ ...input, occurred_at, properties }, rulebook.program.timezone), member }
        const result = evaluateAction(rulebook, facts, await pastAwards(ctx.manager, input.customer_id))
        const decision = actionDecision({ action: input, action_id, result, facts })
        decided = {
          result,
          row: {
            id: action_id, customer_id: input.customer_id, type: input.type, reference: input.reference,
            occurred_at: new Date(facts.action.occurred_at), properties, payload_hash, status: decision.status, points: result.points,
            rule_names: result.rule_names, rulebook_version: rulebook.version, reasons: decision.reasons,
            entry_id: null, actor_id: input.actor_id ?? null,
          },
        }
        return decision.draft
      })

      if (posted.entry && posted.replayed) {
        return this.replay(await findAction(manager, input.type, input.reference), payload_hash, key, posted.entry)
      }
      if (existing) {
        return this.replay(existing, payload_hash, key, null)
      }
      const { row, result } = decided!
      const action = await insertAction(manager, { ...row, entry_id: posted.entry?.id ?? null })
      if (posted.entry) {
        await this.deps_.eventBusService.withTransaction(manager).emit(LoyaltyActionService.Events.POINTS_EARNED, {
          customer_id: input.customer_id, entry_id: posted.entry.id, action_id, type: input.type, reference: input.reference,
          points: posted.entry.points, rule_names: result.rule_names,
        })
      }
      return { status: action.status as ActionOutcome["status"], replayed: false, action, entry: posted.entry }
    })
  }

  /** A second report of a recorded action: the first outcome when the data match, a conflict otherwise (the core's actionReplay). */
  private replay(stored: LoyaltyAction | null, payload_hash: string, key: string, entry: LoyaltyLedgerEntry | null): ActionOutcome {
    const action = actionReplay(stored, payload_hash, key)
    return { status: action.status as ActionOutcome["status"], replayed: true, action, entry }
  }

  /** A customer's actions, newest first (what was decided and why). */
  async list(filter: { customer_id?: string; type?: string }, page: { limit: number; offset: number }): Promise<[LoyaltyAction[], number]> {
    const where: Record<string, string> = {}
    if (filter.customer_id) where.customer_id = filter.customer_id
    if (filter.type) where.type = filter.type
    return await this.activeManager_.getRepository(LoyaltyAction).findAndCount({
      where, order: { occurred_at: "DESC", id: "DESC" }, skip: page.offset, take: page.limit,
    })
  }

  /** Only registered customers earn (the core's assertActionMember): a guest or a missing customer is refused. */
  private async assertMember(manager: EntityManager, customer_id: string): Promise<void> {
    const [row] = await manager.query(`SELECT has_account FROM customer WHERE id = $1 AND deleted_at IS NULL`, [customer_id])
    assertActionMember(customer_id, row)
  }
}

async function findAction(manager: EntityManager, type: string, reference: string): Promise<LoyaltyAction | null> {
  return await manager.getRepository(LoyaltyAction).findOne({ where: { type, reference } })
}

/** The member's earlier awarded actions (for limits): when each occurred and which rules awarded it. */
async function pastAwards(manager: EntityManager, customer_id: string): Promise<PastAward[]> {
  const rows: Array<{ occurred_at: Date; rule_names: string[] }> = await manager.query(
    `SELECT occurred_at, rule_names FROM loyalty_action WHERE customer_id = $1 AND status = 'awarded'`,
    [customer_id]
  )
  return rows.map((r) => ({ occurred_at: new Date(r.occurred_at).toISOString(), rule_names: r.rule_names }))
}

async function insertAction(manager: EntityManager, row: Omit<LoyaltyAction, "created_at">): Promise<LoyaltyAction> {
  const [stored] = await manager.query(
    `INSERT INTO loyalty_action (id, customer_id, type, reference, occurred_at, properties, payload_hash, status, points,
       rule_names, rulebook_version, reasons, entry_id, actor_id)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::jsonb, $11, $12::jsonb, $13, $14) RETURNING *`,
    [
      row.id, row.customer_id, row.type, row.reference, row.occurred_at, JSON.stringify(row.properties), row.payload_hash,
      row.status, row.points, JSON.stringify(row.rule_names), row.rulebook_version, JSON.stringify(row.reasons),
      row.entry_id, row.actor_id,
    ]
  )
  return manager.getRepository(LoyaltyAction).create(stored as LoyaltyAction)
}
