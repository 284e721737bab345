/** What the routes, subscribers, job and script call: one function each, over the loyalty-report-action workflow. */
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { signupAction } from "../../core/domain/ledger/action"
import { birthdayDecision, birthdaysOn, birthdayValue, countBirthday, emptyBirthdayCounts, type BirthdayCounts } from "../../core/domain/program/birthday"
import { isLoyaltyError, LoyaltyErrorCodes } from "../../core/domain/shared/errors"
import { loyaltyOf, queryOf, type Resolver } from "../../lib/container"
import { reportActionWorkflow, type ActionInput, type ActionOutcome } from "./workflows"

type Container = Parameters<typeof reportActionWorkflow>[0]

/** Reports an action (the admin route's custom actions, signup, a birthday) and answers its outcome. */
export async function reportAction(scope: Container, input: Omit<ActionInput, "now">, now: Date = new Date()): Promise<ActionOutcome> {
  const { result } = await reportActionWorkflow(scope).run({ input: { ...input, now: now.toISOString() } })
  return result
}

/**
 * customer.created → the `signup` action of a registered customer (the core's signupAction: auto_enroll on, action
 * rules present; reference the customer id, so a redelivery credits nothing more). Null when nothing is reported.
 */
export async function reportSignup(scope: Container, customer_id: string): Promise<ActionOutcome | null> {
  const loyalty = loyaltyOf(scope as Resolver)
  const rulebook = loyalty.getRulebook()
  const { data } = await queryOf(scope as Resolver).graph({ entity: "customer", fields: ["id", "has_account", "created_at"], filters: { id: customer_id } })
  if (!data[0]) return null
  const signup = signupAction({ customer: data[0], auto_enroll: loyalty.pluginOptions.auto_enroll, action_rules: rulebook.actions.length })
  return signup ? await reportAction(scope, signup) : null
}

/**
 * customer.created / customer.updated → a row when the customer's `metadata.birthday` (as the core reads it,
 * birthdayValue) differs from the one recorded as of their updated_at (so a redelivery, or an update of other
 * fields, records nothing). The events carry only the id: the state is read now, stamped with its updated_at.
 */
export async function recordBirthdayChange(scope: Resolver, customer_id: string): Promise<boolean> {
  const { data } = await queryOf(scope).graph({ entity: "customer", fields: ["id", "metadata", "created_at", "updated_at"], filters: { id: customer_id } })
  const customer = data[0]
  if (!customer) return false
  const at = new Date(customer.updated_at ?? customer.created_at)
  return await loyaltyOf(scope).recordBirthdayChange(customer_id, birthdayValue(customer.metadata), at)
}

const PAGE = 500

/**
 * The birthdays run as of `now`: every registered customer whose `metadata.birthday` is celebrated on the store-local
 * date (program timezone) earns the `birthday` action once a year (the core's birthdayDecision: reference
 * `<customer>:<year>`, nothing for a birthday set or changed in the last 30 days). Counts as the Medusa 1 plugin's.
 */
export async function runBirthdaysJob(scope: Container, now: Date): Promise<BirthdayCounts> {
  const loyalty = loyaltyOf(scope as Resolver)
  const rulebook = loyalty.getRulebook()
  const timezone = rulebook.program.timezone
  const { local_date, month_days } = birthdaysOn(now, timezone)
  const counts = emptyBirthdayCounts(local_date)
  if (rulebook.actions.length === 0) return counts
  const year = local_date.slice(0, 4)
  for (let skip = 0; ; skip += PAGE) {
    const { data } = await queryOf(scope as Resolver).graph({
      entity: "customer", fields: ["id", "metadata"], filters: { has_account: true },
      pagination: { skip, take: PAGE, order: { id: "ASC" } },
    })
    // Customer metadata is not indexed for the day: the page is read and filtered here.
    const due = data
      .map((c: { id: string; metadata?: unknown }) => ({ id: c.id, birthday: birthdayValue(c.metadata) }))
      .filter((c): c is { id: string; birthday: string } => c.birthday !== null && month_days.includes(c.birthday.slice(-5)))
    const changed = await loyalty.lastBirthdayChanges(due.map((c) => c.id))
    const decided = await loyalty.recordedActionReferences("birthday", due.map((c) => `${c.id}:${year}`))
    for (const m of due) {
      const decision = birthdayDecision({ customer_id: m.id, birthday: m.birthday, last_changed_at: changed.get(m.id) ?? null, now, timezone })
      if (!decision.award) {
        countBirthday(counts, decision, null)
        continue
      }
      if (decided.has(decision.reference)) {
        countBirthday(counts, decision, "already")
        continue
      }
      try {
        const outcome = await reportAction(scope, {
          customer_id: m.id, type: "birthday", reference: decision.reference, occurred_at: now.toISOString(), properties: { birthday: m.birthday }, birthday_year: Number(year),
        }, now)
        countBirthday(counts, decision, outcome.replayed ? "already" : outcome.action.status)
      } catch (e) {
        // A concurrent run recorded it first (its occurred_at differs): already decided.
        const already = isLoyaltyError(e) && e.code === LoyaltyErrorCodes.IDEMPOTENCY_CONFLICT
        countBirthday(counts, decision, already ? "already" : "failed")
        if (!already) (scope as Resolver).resolve<{ error(m: string): void }>(ContainerRegistrationKeys.LOGGER).error(`loyalty: birthday of ${m.id} failed: ${(e as Error).message}`)
      }
    }
    if (data.length < PAGE) break
  }
  return counts
}
