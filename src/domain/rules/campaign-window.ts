/**
 * Campaign windows: a rule with `starts_at` and/or `ends_at` applies only to what happened inside them — an order by
 * the time it was PLACED (its own created_at, whenever its event is handled: a late event, a reconcile or a backtest
 * reads the same instant), an action by the time it occurred. Start inclusive, end exclusive.
 */
import { z } from "zod"
import { parseOffsetDateTime } from "../shared/store-time"

export interface CampaignWindow {
  /** ISO 8601 with an offset; inclusive. */
  readonly starts_at?: string
  /** ISO 8601 with an offset; exclusive. */
  readonly ends_at?: string
}

const instant = (which: string) => z.string().max(40).refine((text) => parseOffsetDateTime(text) !== undefined, {
  error: `${which} must be an ISO 8601 date-time with an offset, e.g. "2026-11-27T00:00:00-05:00" or "2026-11-27T05:00:00Z"`,
})

/** The zod fields of a window, spread into a rule's strict object. */
export const windowFields = {
  starts_at: instant("starts_at").optional().meta({ description: "ISO 8601 with an offset: the rule applies from this instant (inclusive)." }),
  ends_at: instant("ends_at").optional().meta({ description: "ISO 8601 with an offset: the rule applies until this instant (exclusive)." }),
}

/**
 * The cross-field check of a window, reported at `ends_at`: the end must come after the start (an empty window
 * would silently never apply). Only compares values that parsed (a malformed one has its own issue).
 */
export function windowIssue(window: CampaignWindow): { path: ["ends_at"]; message: string; hint: string } | undefined {
  if (window.starts_at === undefined || window.ends_at === undefined) return undefined
  const start = parseOffsetDateTime(window.starts_at)
  const end = parseOffsetDateTime(window.ends_at)
  if (start === undefined || end === undefined || end > start) return undefined
  return {
    path: ["ends_at"],
    message: `ends_at (${window.ends_at}) is ${end === start ? "the same instant as" : "before"} starts_at (${window.starts_at}): the window is empty`,
    hint: "a window runs from starts_at (inclusive) to ends_at (exclusive); swap them or fix the date",
  }
}

/**
 * Whether the instant `ms` (epoch milliseconds) lies inside the window: starts_at ≤ ms < ends_at; a missing bound is
 * open. Invariant: pure; an instant that is not a number (an unparsable created_at) is outside every bounded window.
 */
export function inWindow(window: CampaignWindow, ms: number): boolean {
  if (window.starts_at === undefined && window.ends_at === undefined) return true
  if (!Number.isFinite(ms)) return false
  if (window.starts_at !== undefined && ms < (parseOffsetDateTime(window.starts_at) ?? Infinity)) return false
  if (window.ends_at !== undefined && ms >= (parseOffsetDateTime(window.ends_at) ?? -Infinity)) return false
  return true
}

/**
 * {@link inWindow} with the window's bounds parsed once: `compiledWindow(w)(ms) === inWindow(w, ms)` for every ms.
 * An evaluator that tests many orders against the same frozen rule calls this once per rule, not once per order
 * (parsing an offset date-time is a regex and a Date.parse). Returns undefined for a window with no bound: such a
 * rule applies at every instant, so the caller need not even compute the order's instant.
 */
export function compiledWindow(window: CampaignWindow): ((ms: number) => boolean) | undefined {
  if (window.starts_at === undefined && window.ends_at === undefined) return undefined
  // The same fallbacks as inWindow: an unparsable bound (never in a validated rulebook) excludes every instant.
  const start_ms = window.starts_at === undefined ? -Infinity : parseOffsetDateTime(window.starts_at) ?? Infinity
  const end_ms = window.ends_at === undefined ? Infinity : parseOffsetDateTime(window.ends_at) ?? -Infinity
  return (ms) => Number.isFinite(ms) && ms >= start_ms && ms < end_ms
}
