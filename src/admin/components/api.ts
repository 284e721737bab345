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

/** GET `path` (under /admin) with `query`; refetched when any loyalty write invalidates "loyalty". */
export function useLoyaltyQuery<R>(path: string, query?: Record<string, unknown>, enabled = true) {
  const clean = query ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== "")) : undefined
  return useAdminCustomQuery<Record<string, unknown>, R & Record<string, unknown>>(path, ["loyalty"], clean, {
    enabled,
    keepPreviousData: true,
    retry: false,
  })
}

const isLoyaltyQuery = (q: { queryKey: readonly unknown[] }) => typeof q.queryKey[0] === "string" && q.queryKey[0].startsWith("/loyalty")

/** The error a failed request carries, as one sentence for the merchant (the API's own message when it has one). */
export function errorMessage(e: unknown): string {
  const data = (e as { response?: { data?: { message?: string; code?: string } } })?.response?.data
  if (data?.message) return data.code ? `${data.message} (${data.code})` : data.message
  return e instanceof Error ? e.message : String(e)
}

/**
 * A POST to the plugin that returns its body and refreshes every loyalty view. `idempotencyKey` is sent as the
 * Idempotency-Key header: the server turns a repeated key into the first result, so a double click writes once.
 */
export function useLoyaltyPost<R = unknown>(path: string) {
  const { client } = useMedusa()
  const queryClient = useQueryClient()
  const [state, setState] = useState<{ loading: boolean; error: string | null; data: R | null }>({ loading: false, error: null, data: null })
  const run = useCallback(
    async (payload: Record<string, unknown> = {}, idempotencyKey?: string): Promise<R | null> => {
      setState((s) => ({ ...s, loading: true, error: null }))
      try {
        const headers = idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}
        const { response: _response, ...body } = await client.admin.custom.post(path, payload, {}, headers)
        setState({ loading: false, error: null, data: body as R })
        await queryClient.invalidateQueries({ predicate: isLoyaltyQuery })
        return body as R
      } catch (e) {
        const data = (e as { response?: { data?: R } })?.response?.data ?? null
        setState({ loading: false, error: errorMessage(e), data })
        return null
      }
    },
    [client, path, queryClient]
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

/** 12345 → "12,345"; points are integers everywhere. */
export const fmt = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString("en-US"))
export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : "–")
