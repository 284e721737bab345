import { useAdminCustomQuery, useMedusa } from "medusa-react"
import { useQueryClient } from "@tanstack/react-query"
import { useCallback, useRef, useState } from "react"

/**
 * The plugin's admin API as the extension uses it. Paths are relative to /admin (medusa-react adds it); auth is the
 * dashboard's own session cookie. medusa-react keys a custom query as [path, query, queryKey]: every plugin path starts
 * with "/loyalty", which is what one invalidation after a write matches (isLoyaltyQuery).
 */
export type Tier = { code: string; name: string } | null
export type Account = {
  id: string
  customer_id: string
  email?: string | null
  points_balance: number
  points_lifetime: number
  points_pending: number
  tier: Tier
  next_expiry?: { points: number; expires_at: string } | null
  next_tier?: { code: string; name: string; threshold: number | null; points_needed: number } | null
  created_at: string
}
export type Entry = {
  id: string
  kind: string
  points: number
  balance_after: number
  pending_points: number
  order_id: string | null
  rule_names: string[]
  rulebook_version: string | null
  reason: string | null
  created_at: string
}
export type Redemption = { id: string; points: number; discount_code: string; amount: number; currency_code: string; expires_at: string; status: string; created_at: string }
export type RuleIssue = { file: string; line: number | null; column: number | null; pointer: string; message: string; hint: string | null }

/**
 * GET `path` (under /admin) with `query`; refetched when a loyalty write invalidates it. `keepPrevious` keeps the last
 * page on screen while the next loads (lists only: elsewhere it would show one entry's data under another's name).
 */
export function useLoyaltyQuery<R>(path: string, query?: Record<string, unknown>, opts: { enabled?: boolean; keepPrevious?: boolean } = {}) {
  const clean = query ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== "")) : undefined
  return useAdminCustomQuery<Record<string, unknown>, R & Record<string, unknown>>(path, ["loyalty"], clean, {
    enabled: opts.enabled ?? true,
    keepPreviousData: opts.keepPrevious ?? false,
    retry: false,
  })
}

// Not /loyalty/verify: a full integrity check is run on demand, not after every write.
const isLoyaltyQuery = (q: { queryKey: readonly unknown[] }) =>
  typeof q.queryKey[0] === "string" && q.queryKey[0].startsWith("/loyalty") && !q.queryKey[0].startsWith("/loyalty/verify")

/** The error a failed request carries, as one sentence for the merchant (the API's own message when it has one). */
export function errorMessage(e: unknown): string {
  const data = (e as { response?: { data?: { message?: string; code?: string } } })?.response?.data
  if (data?.message) return data.code ? `${data.message} (${data.code})` : data.message
  return e instanceof Error ? e.message : String(e)
}

/**
 * A POST to the plugin. `data` is the success body only; a refusal's body (e.g. located `issues`) is `errorBody`.
 * `idempotencyKey` is sent as the Idempotency-Key header: the server turns a repeated key into the first result, so a
 * double click writes once. Writes (`refresh`, the default) refresh every loyalty view; dry runs pass false.
 */
export function useLoyaltyPost<R = unknown>(path: string, opts: { refresh?: boolean } = {}) {
  const { client } = useMedusa()
  const queryClient = useQueryClient()
  const [state, setState] = useState<{ loading: boolean; error: string | null; errorBody: Record<string, unknown> | null; data: R | null }>({
    loading: false,
    error: null,
    errorBody: null,
    data: null,
  })
  const refresh = opts.refresh ?? true
  const run = useCallback(
    async (payload: Record<string, unknown> = {}, idempotencyKey?: string): Promise<R | null> => {
      setState((s) => ({ ...s, loading: true, error: null, errorBody: null }))
      try {
        const headers = idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}
        const { response: _response, ...body } = await client.admin.custom.post(path, payload, {}, headers)
        setState({ loading: false, error: null, errorBody: null, data: body as R })
        // Not awaited: the caller settles its own state (a new idempotency key) before the views refetch.
        if (refresh) void queryClient.invalidateQueries({ predicate: isLoyaltyQuery })
        return body as R
      } catch (e) {
        const errorBody = (e as { response?: { data?: Record<string, unknown> } })?.response?.data ?? null
        setState({ loading: false, error: errorMessage(e), errorBody, data: null })
        return null
      }
    },
    [client, path, queryClient, refresh]
  )
  return { ...state, run }
}

/**
 * One idempotency key per intent: the same key until `next()` is called after a success, so every click of one
 * submit (double clicks, retries after a network error) carries the same key.
 */
export function useIntentKey() {
  const key = useRef(newKey())
  return { current: () => key.current, next: () => (key.current = newKey()) }
}

function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `k-${Date.now()}-${Math.random().toString(36).slice(2)}`
}

/** 12345 → "12,345" and an ISO timestamp's day: the formats both majors' dashboards share (the core's admin-view). */
export { formatPoints as fmt, formatDay as day } from "../../domain/reports/admin-view"

/**
 * A dashboard URL for `path` (e.g. "customers/cus_1"): the dashboard is served under a store-chosen prefix (`/app` by
 * default) with its pages under `<prefix>/a/`, so the prefix is read from the current location.
 */
export function adminHref(path: string): string {
  const here = typeof window === "undefined" ? "/app/a/" : window.location.pathname
  const i = here.indexOf("/a/")
  return `${i >= 0 ? here.slice(0, i) : ""}/a/${path}`
}
