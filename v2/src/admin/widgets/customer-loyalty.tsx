import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminCustomer, DetailWidgetProps } from "@medusajs/framework/types"
import { Badge, Button, Container, Heading, Input, Label, Text } from "@medusajs/ui"
import { useCallback, useEffect, useRef, useState } from "react"
import { sdk } from "../lib/sdk"

type Account = {
  points_balance: number
  points_lifetime: number
  points_pending: number
  tier: { code: string; name: string } | null
}
type Entry = { id: string; kind: string; points: number; reason: string | null; created_at: string }

const LATEST = 5

/** A fresh key per submit: a network retry of one submit cannot post twice, a second submit is a new adjustment. */
function newIdempotencyKey(): string {
  const c = globalThis.crypto as Crypto | undefined
  if (c?.randomUUID) return `admin-widget-${c.randomUUID()}`
  return `admin-widget-${Date.now()}-${Math.random().toString(36).slice(2)}`
}

/**
 * The customer's loyalty account on the admin customer page: balance, tier, latest entries (the admin loyalty
 * routes through the admin client, so the store's admin auth goes with them) and a form to adjust points (POST …/adjustments with an
 * Idempotency-Key per adjustment, so a double click posts once).
 */
const CustomerLoyaltyWidget = ({ data }: DetailWidgetProps<AdminCustomer>) => {
  const base = `/admin/loyalty/accounts/${data.id}`
  const [account, setAccount] = useState<Account | null>(null)
  const [entries, setEntries] = useState<Entry[]>([])
  const [error, setError] = useState<string | null>(null)
  const [points, setPoints] = useState("")
  const [reason, setReason] = useState("")
  const [saving, setSaving] = useState(false)
  const [message, setMessage] = useState<string | null>(null)
  // One key per adjustment the admin means, not per click: a double click, or a retry of the same points and reason
  // after a lost answer, sends the same key, so the ledger gets one entry. Other points or reason: a new key.
  const pending = useRef<{ key: string; adjustment: string } | null>(null)

  const load = useCallback(async () => {
    try {
      const [a, e] = await Promise.all([
        sdk().client.fetch<{ loyalty_account: Account }>(base),
        sdk().client.fetch<{ entries: Entry[] }>(`${base}/entries`, { query: { limit: LATEST, offset: 0 } }),
      ])
      setAccount(a.loyalty_account)
      setEntries(e.entries)
      setError(null)
    } catch (e) {
      setError((e as Error).message)
    }
  }, [base])

  useEffect(() => {
    void load()
  }, [load])

  const n = Number(points)
  const valid = Number.isInteger(n) && n !== 0 && reason.trim().length > 0

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault()
    if (!valid || saving) return
    const adjustment = JSON.stringify({ points: n, reason: reason.trim() })
    if (pending.current?.adjustment !== adjustment) pending.current = { key: newIdempotencyKey(), adjustment }
    setSaving(true)
    setMessage(null)
    try {
      const body = await sdk().client.fetch<{ loyalty_account: Account }>(`${base}/adjustments`, {
        method: "POST",
        headers: { "idempotency-key": pending.current.key },
        body: { points: n, reason: reason.trim() },
      })
      pending.current = null
      setAccount(body.loyalty_account)
      setPoints("")
      setReason("")
      setMessage(`Adjusted by ${n > 0 ? "+" : ""}${n} points`)
      await load()
    } catch (e) {
      setMessage(`Adjustment refused: ${(e as Error).message}`)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Container className="divide-y p-0" data-testid="loyalty-widget">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h2">Loyalty</Heading>
        {account?.tier && <Badge data-testid="loyalty-tier">{account.tier.name}</Badge>}
      </div>
      {error && (
        <div className="px-6 py-4">
          <Text size="small">Could not load the loyalty account ({error})</Text>
        </div>
      )}
      {account && (
        <div className="px-6 py-4">
          <Text size="small" weight="plus" data-testid="loyalty-balance">
            {account.points_balance} points
          </Text>
          <Text size="small" className="text-ui-fg-subtle">
            lifetime {account.points_lifetime} · pending {account.points_pending}
          </Text>
        </div>
      )}
      <div className="px-6 py-4" data-testid="loyalty-entries">
        <Text size="small" weight="plus">Latest entries</Text>
        {entries.length === 0 && <Text size="small" className="text-ui-fg-subtle">No entries yet</Text>}
        {entries.map((e) => (
          <div key={e.id} className="flex justify-between" data-testid="loyalty-entry">
            <Text size="small">{e.kind}{e.reason ? ` · ${e.reason}` : ""}</Text>
            <Text size="small">{e.points > 0 ? `+${e.points}` : e.points}</Text>
          </div>
        ))}
      </div>
      <form className="flex flex-col gap-2 px-6 py-4" onSubmit={submit} data-testid="loyalty-adjust">
        <Label size="small" htmlFor="loyalty-adjust-points">Adjust points (signed)</Label>
        <Input id="loyalty-adjust-points" name="points" type="number" step={1} value={points} onChange={(e) => setPoints(e.target.value)} />
        <Label size="small" htmlFor="loyalty-adjust-reason">Reason</Label>
        <Input id="loyalty-adjust-reason" name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        <Button size="small" type="submit" disabled={!valid || saving} isLoading={saving}>
          Adjust
        </Button>
        {message && <Text size="small" data-testid="loyalty-adjust-message">{message}</Text>}
      </form>
    </Container>
  )
}

export const config = defineWidgetConfig({ zone: "customer.details.after" })

export default CustomerLoyaltyWidget
