/**
 * The OpenAPI contracts of the admin's writes to members' points (accounts/:customer_id/adjustments, actions), one
 * text for both majors: each major's route file exports `openapi` built from these, so an error or a schema cannot be
 * documented on one major only.
 */
import { z } from "zod"
import { MAX_STORABLE_POINTS } from "../../ledger/ledger"
import { ActionBody, ActionListQuery, AdjustmentBody, IdempotencyHeaders, NoQuery } from "../request-input"
import { Account, Action, ActionReport, Entry, listPage } from "../response-schemas"
import { Refusals, type RouteDocs } from "../route-docs"

/** POST /admin/loyalty/accounts/:customer_id/adjustments. Both majors post through the core's planPosting, hence LEDGER_INVARIANT. */
export const adjustmentsDocs: RouteDocs = {
  POST: {
    summary: "Adjust a member's points (signed, with a reason); idempotent by Idempotency-Key",
    description: "A debit may take the balance below zero only when the program allows negative balances. The entry's `actor_id` is the admin user.",
    query: NoQuery,
    headers: IdempotencyHeaders,
    body: AdjustmentBody,
    response: z.strictObject({ entry: Entry, loyalty_account: Account }),
    errors: [
      Refusals.insufficientPoints("a debit below zero when the program refuses negative balances"),
      { status: 400, code: "LEDGER_INVARIANT", when: `the balance would pass ${MAX_STORABLE_POINTS.toLocaleString("en-US")} points` },
      Refusals.notFound("no such customer"),
      Refusals.idempotencyConflict,
      Refusals.rulesUnavailable,
    ],
  },
}

/** POST and GET /admin/loyalty/actions. */
export const actionsDocs: RouteDocs = {
  POST: {
    summary: "Report an earning action (review, social follow, …); the same type + reference earns once, ever",
    description: "Awards what the rulebook's action rules give, as one `action` ledger entry. A limit that is reached writes no entry: the action is recorded as `refused` with its reasons. A replay with the same data answers the first outcome (200, `replayed: true`).",
    query: NoQuery,
    body: ActionBody,
    status: 201,
    alsoStatus: { 200: "a replay: the action was already recorded with the same data" },
    response: ActionReport,
    errors: [
      { status: 400, code: "ACTION_NOT_ALLOWED", when: "the customer is a guest (no account)" },
      Refusals.notFound("no such customer"),
      { status: 422, code: "IDEMPOTENCY_CONFLICT", when: "the type + reference was already reported with other data" },
      Refusals.rulesUnavailable,
    ],
  },
  GET: { summary: "Recorded earning actions, newest first, with what was decided and why", query: ActionListQuery, response: listPage("actions", Action) },
}
