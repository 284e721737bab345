// The ledger table (tests/fixtures/ledger-table.json) played on a store: each adapter's suite gives an Adapter that
// drives a real store of its major (tests/integration/ledger-table.test.ts for Medusa v1,
// v2/integration-tests/http/ledger-table.spec.ts for v2); the steps, the waits and the comparison are written once, here.
const crypto = require("crypto")
const fs = require("fs")
const path = require("path")

const DAY_MS = 24 * 60 * 60 * 1000
const FIXTURE = path.join(__dirname, "..", "fixtures", "ledger-table.json")
const DEFAULT_PROGRAM = path.join(__dirname, "..", "..", "rules", "program.json")

/**
 * @typedef {{ price: number, quantity: number }} Item
 * @typedef {{ kind: string, points: number, pending_delta: number, balance_after: number, idempotency_key: string, reason: string | null }} EntryRow
 * @typedef {{ status: number, body: any }} Answer
 * @typedef {{
 *   id: string,
 *   place(items: Item[]): Promise<string>,
 *   cancel(order_id: string): Promise<void>,
 *   cancelBeforePlaced(items: Item[]): Promise<string>,
 *   capture(order_id: string): Promise<void>,
 *   refund(order_id: string, amount_minor: number, reason: string): Promise<string>,
 *   fulfill(order_id: string): Promise<void>,
 *   adjust(key: string, body: { points: number, reason: string }): Promise<Answer>,
 *   redeem(key: string, points: number): Promise<Answer>,
 *   entries(): Promise<EntryRow[]>,
 *   account(): Promise<{ points_balance: number, points_pending: number, points_lifetime: number, tier: { code: string } | null }>,
 * }} Member  what one member does on the store, and what the store then says (entries in ledger order)
 * @typedef {{
 *   setProgram(program_json: string): Promise<void>,
 *   member(): Promise<Member>,
 *   runJob(job: "expire" | "activate" | "tiers", now: Date): Promise<unknown>,
 *   waitFor(what: string, probe: () => Promise<any>): Promise<any>,
 * }} Adapter  one running store: its rules' program.json is written and reloaded by setProgram
 * @typedef {{ name: string, program?: Record<string, unknown>, steps: Array<Record<string, any>> }} Scenario
 */

/** @returns {{ description: string, columns: string[], scenarios: Scenario[] }} */
function ledgerTable() {
  return JSON.parse(fs.readFileSync(FIXTURE, "utf8"))
}

/** The default program.json with `overrides` merged in, as text to write into a store's rules directory. */
function programWith(overrides = {}) {
  return JSON.stringify({ ...JSON.parse(fs.readFileSync(DEFAULT_PROGRAM, "utf8")), ...overrides }, null, 2)
}

/** The prices the table's orders use, so a suite can create the products before it plays. */
function tablePrices() {
  const prices = ledgerTable().scenarios.flatMap((s) => s.steps.flatMap((step) => (step.items ?? []).map((/** @type {Item} */ i) => i.price)))
  return [...new Set(prices)]
}

/**
 * Plays one scenario for a new member and checks every `expect` step with jest's `expect`: the member's entries
 * (kind, points, pending, balance after, key, reason) and account must equal the table's. Each check first waits
 * until the member has as many entries as the table lists (order events arrive asynchronously); the comparison
 * then decides. The program is written and reloaded before the member starts (the default when none is given).
 * @param {Scenario} scenario
 * @param {Adapter} adapter
 * @param {(actual: unknown) => { toEqual(expected: unknown): void }} expect
 */
async function playScenario(scenario, adapter, expect) {
  await adapter.setProgram(programWith(scenario.program))
  const member = await adapter.member()
  const run = crypto.randomBytes(4).toString("hex")
  /** @type {Map<string, string>} what the placeholders stand for */
  const names = new Map([["customer", member.id]])
  /** @type {Map<string, any>} answers kept by `as`, compared by `same_as` */
  const answers = new Map()
  const clientKey = (/** @type {string} */ key) => {
    names.set(`key:${key}`, `${key}-${run}`)
    return `${key}-${run}`
  }
  const order = (/** @type {string} */ name) => {
    const id = names.get(`order:${name}`)
    if (!id) throw new Error(`ledger table: order ${name} is used before it is placed`)
    return id
  }

  for (const [i, step] of scenario.steps.entries()) {
    const where = `${scenario.name}, step ${i + 1} (${step.do})`
    switch (step.do) {
      case "place":
        names.set(`order:${step.order}`, await member.place(step.items))
        break
      case "cancel_before_placed":
        names.set(`order:${step.order}`, await member.cancelBeforePlaced(step.items))
        break
      case "cancel":
        await member.cancel(order(step.order))
        break
      case "capture":
        await member.capture(order(step.order))
        break
      case "fulfill":
        await member.fulfill(order(step.order))
        break
      case "refund":
        names.set(`refund:${step.refund}`, await member.refund(order(step.order), step.amount_minor, step.reason))
        break
      case "adjust": {
        const answer = await member.adjust(clientKey(step.key), { points: step.points, reason: step.reason })
        checkAnswer(expect, where, answer, step, answers, (body) => body.entry.id)
        break
      }
      case "redeem": {
        const answer = await member.redeem(clientKey(step.key), step.points)
        checkAnswer(expect, where, answer, step, answers, (body) => body.redemption.id)
        if (step.as) {
          names.set(`code:${step.as}`, answer.body.redemption.discount_code)
          names.set(`redemption:${step.as}`, answer.body.redemption.id)
        }
        break
      }
      case "job": {
        const now = new Date(Date.now() + step.days * DAY_MS)
        if (step.as) names.set(`day:${step.as}`, now.toISOString().slice(0, 10))
        await adapter.runJob(step.job, now)
        break
      }
      case "expect":
        await checkLedger(expect, where, adapter, member, step, names)
        break
      default:
        throw new Error(`ledger table: unknown step ${JSON.stringify(step.do)} in ${where}`)
    }
  }
}

/** An adjust or redeem answer: its status (and error code), and with `same_as` the same entry or redemption. */
function checkAnswer(expect, where, answer, step, answers, idOf) {
  const actual = { where, status: answer.status, ...(step.code ? { code: answer.body?.code } : {}) }
  expect(actual).toEqual({ where, status: step.status, ...(step.code ? { code: step.code } : {}) })
  if (step.as) answers.set(step.as, idOf(answer.body))
  if (step.same_as) expect({ where, replayed: idOf(answer.body) }).toEqual({ where, replayed: answers.get(step.same_as) })
}

async function checkLedger(expect, where, adapter, member, step, names) {
  if (step.entries) {
    const expected = step.entries.map((/** @type {any[]} */ row) => entryOf(row, names))
    const rows = await adapter.waitFor(`${expected.length} entries (${where})`, async () => {
      const found = await member.entries()
      return found.length >= expected.length ? found : null
    })
    const actual = rows.map((/** @type {EntryRow} */ e) => ({
      kind: e.kind, points: e.points, pending_delta: e.pending_delta, balance_after: e.balance_after, key: e.idempotency_key, reason: e.reason,
    }))
    expect({ where, entries: actual }).toEqual({ where, entries: expected })
  }
  if (step.account) {
    const a = await member.account()
    const actual = { points_balance: a.points_balance, points_pending: a.points_pending, points_lifetime: a.points_lifetime, tier: a.tier?.code ?? null }
    expect({ where, account: actual }).toEqual({ where, account: step.account })
  }
}

/** A table row (columns: kind, points, pending_delta, balance_after, key, reason) with its placeholders filled. */
function entryOf(row, names) {
  const [kind, points, pending_delta, balance_after, key, reason] = row
  return { kind, points, pending_delta, balance_after, key: fill(key, names), reason: reason === null ? null : fill(reason, names) }
}

function fill(text, names) {
  return text.replace(/\{([a-z_]+(?::[^}]+)?)\}/g, (_, name) => {
    const value = names.get(name)
    if (value === undefined) throw new Error(`ledger table: nothing stands for {${name}} yet in ${JSON.stringify(text)}`)
    return value
  })
}

module.exports = { ledgerTable, playScenario, programWith, tablePrices }
