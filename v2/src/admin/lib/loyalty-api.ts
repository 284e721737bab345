import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query"
import { useCallback, useState } from "react"
import { sdk } from "./sdk"

/**
 * The plugin's admin API as the loyalty pages use it: through the admin client (lib/sdk.ts), so the store's admin auth
 * (session cookie or JWT) goes with every request. Paths are relative to /admin. Every query key starts with
 * "loyalty": one invalidation after a write refreshes every loyalty view (the integrity check excepted).
 */
export type RuleIssue = { file: string; line: number | null; column: number | null; pointer: string; message: string; hint: string | null }

type HttpError = Error & { status?: number }

/** The error a failed request carries, as one sentence for the merchant; a route this server lacks says so. */
export function errorMessage(e: unknown): string {
  const err = e as HttpError | null
  if (!err) return ""
  if (err.status === 404) return `Not available on this server (404: ${err.message})`
  return err.status ? `${err.message} (HTTP ${err.status})` : err.message ?? String(e)
}

/** The HTTP status of a failed request, when it got an answer. */
export const errorStatus = (e: unknown): number | undefined => (e as HttpError | null)?.status

const clean = (query?: Record<string, unknown>) =>
  query ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== "")) : undefined

/**
 * GET `path` (under /admin) with `query`. `keepPrevious` keeps the last page on screen while the next loads (lists
 * only: elsewhere it would show one thing's data under another's name).
 */
export function useLoyaltyQuery<R>(path: string, query?: Record<string, unknown>, opts: { enabled?: boolean; keepPrevious?: boolean } = {}) {
  const q = clean(query)
  return useQuery<R, HttpError>({
    queryKey: ["loyalty", path, q ?? {}],
    queryFn: () => sdk().client.fetch<R>(`/admin${path}`, { method: "GET", query: q }),
    enabled: opts.enabled ?? true,
    retry: false,
    placeholderData: opts.keepPrevious ? keepPreviousData : undefined,
  })
}

// Not /loyalty/verify: a full integrity check runs on demand, not after every write.
const isLoyaltyQuery = (q: { queryKey: readonly unknown[] }) => q.queryKey[0] === "loyalty" && q.queryKey[1] !== "/loyalty/verify"

/**
 * A POST to the plugin; `data` is the success body. Writes (`refresh`, the default) refresh every loyalty view; dry
 * runs (validate, simulate, backtest) pass false.
 */
export function useLoyaltyPost<R = unknown>(path: string, opts: { refresh?: boolean } = {}) {
  const queryClient = useQueryClient()
  const [state, setState] = useState<{ loading: boolean; error: string | null; status: number | null; data: R | null }>({
    loading: false,
    error: null,
    status: null,
    data: null,
  })
  const refresh = opts.refresh ?? true
  const run = useCallback(
    async (body: Record<string, unknown> = {}): Promise<R | null> => {
      setState((s) => ({ ...s, loading: true, error: null, status: null }))
      try {
        const data = await sdk().client.fetch<R>(`/admin${path}`, { method: "POST", body })
        setState({ loading: false, error: null, status: null, data })
        if (refresh) void queryClient.invalidateQueries({ predicate: isLoyaltyQuery })
        return data
      } catch (e) {
        setState({ loading: false, error: errorMessage(e), status: errorStatus(e) ?? null, data: null })
        // A refused reload leaves its issues in the live rulebook's last_reload_error: show them.
        if (refresh) void queryClient.invalidateQueries({ predicate: isLoyaltyQuery })
        return null
      }
    },
    [path, queryClient, refresh]
  )
  return { ...state, run }
}
