import { Badge, Button, Heading, Input, Label, Table, Text } from "@medusajs/ui"
import { useState } from "react"
import { currencyDecimals } from "../../domain/shared/currency"
import { Account, Entry, Redemption, adminHref, day, errorMessage, fmt, useIntentKey, useLoyaltyPost, useLoyaltyQuery } from "./api"

/** Balance, pending, lifetime and the tier with its progress toward the next one. */
export function AccountSummary({ account }: { account: Account }) {
  const next = account.next_tier
  // points_needed is null when the next threshold is not on points (e.g. spend): no bar to fill then.
  const needed = next?.points_needed ?? null
  const progress = next === null || next === undefined ? 100 : next.threshold && needed !== null ? Math.min(100, Math.round((100 * (next.threshold - needed)) / next.threshold)) : 0
  return (
    <div className="flex flex-col gap-y-3">
      <div className="flex flex-wrap items-center gap-x-8 gap-y-2">
        <Figure label="Points balance" value={account.points_balance} testId="loyalty-balance" />
        <Figure label="Pending" value={account.points_pending} testId="loyalty-pending" />
        <Figure label="Lifetime" value={account.points_lifetime} testId="loyalty-lifetime" />
        <div className="flex flex-col">
          <Text size="small" className="text-ui-fg-subtle">Tier</Text>
          <Badge color="purple" data-testid="loyalty-tier">{account.tier?.name ?? "No tier yet"}</Badge>
        </div>
        <div className="flex flex-col">
          <Text size="small" className="text-ui-fg-subtle">Next expiry</Text>
          <Text data-testid="loyalty-next-expiry">
            {account.next_expiry ? `${fmt(account.next_expiry.points)} on ${day(account.next_expiry.expires_at)}` : "Nothing expiring"}
          </Text>
        </div>
      </div>
      <div className="flex flex-col gap-y-1" data-testid="loyalty-tier-progress">
        <div className="h-2 w-full rounded bg-ui-bg-subtle" role="progressbar" aria-label="Progress to the next tier" aria-valuenow={progress} aria-valuemin={0} aria-valuemax={100}>
          <div className="h-2 rounded bg-violet-500" style={{ width: `${progress}%` }} />
        </div>
        <Text size="small" className="text-ui-fg-subtle">
          {!next ? "Top tier reached" : needed !== null ? `${fmt(needed)} points to ${next.name}` : `Next: ${next.name}`}
        </Text>
      </div>
    </div>
  )
}

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="flex flex-col">
      <Text size="small" className="text-ui-fg-subtle">{label}</Text>
      <Heading level="h2" data-testid={testId}>{fmt(value)}</Heading>
    </div>
  )
}

/** The latest ledger entries; "Explain" shows the facts and the rule text of the version that produced an entry. */
export function EntriesTable({ customerId }: { customerId: string }) {
  const { data, isLoading, error } = useLoyaltyQuery<{ entries: Entry[]; count: number }>(`/loyalty/accounts/${customerId}/entries`, { limit: 10 })
  const [open, setOpen] = useState<string | null>(null)
  if (isLoading) return <Text size="small">Loading entries…</Text>
  if (error) return <Text size="small" className="text-ui-fg-error">{errorMessage(error)}</Text>
  return (
    <div className="flex flex-col gap-y-2">
      <Heading level="h3">Latest entries ({fmt(data?.count)})</Heading>
      <Table data-testid="loyalty-entries">
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Date</Table.HeaderCell>
            <Table.HeaderCell>Kind</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Points</Table.HeaderCell>
            <Table.HeaderCell>Rules fired</Table.HeaderCell>
            <Table.HeaderCell>Order / reason</Table.HeaderCell>
            <Table.HeaderCell />
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {(data?.entries ?? []).map((e) => (
            <Table.Row key={e.id} data-entry-kind={e.kind}>
              <Table.Cell>{day(e.created_at)}</Table.Cell>
              <Table.Cell>{e.kind}</Table.Cell>
              <Table.Cell className="text-right">{e.points > 0 ? `+${fmt(e.points)}` : fmt(e.points)}</Table.Cell>
              <Table.Cell>{e.rule_names.join(", ") || "–"}</Table.Cell>
              <Table.Cell>{e.order_id ? <a className="text-ui-fg-interactive" href={adminHref(`orders/${e.order_id}`)}>{e.order_id}</a> : e.reason ?? "–"}</Table.Cell>
              <Table.Cell>
                <Button size="small" variant="transparent" aria-label={`${open === e.id ? "Hide" : "Explain"} entry ${e.id}`} onClick={() => setOpen(open === e.id ? null : e.id)}>{open === e.id ? "Hide" : "Explain"}</Button>
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
      {open && <Explain key={open} entryId={open} />}
    </div>
  )
}

type Explanation = {
  entry: Entry
  rulebook: { version: string; files: Array<{ name: string; text: string }> | null } | null
  facts: unknown
  rules_fired: Array<{ name: string; type: string | null; contribution: number }>
}

function Explain({ entryId }: { entryId: string }) {
  const { data, isLoading, error } = useLoyaltyQuery<Explanation>(`/loyalty/entries/${entryId}/explain`)
  if (isLoading) return <Text size="small">Loading explanation…</Text>
  if (error || !data) return <Text size="small" className="text-ui-fg-error">{errorMessage(error)}</Text>
  return (
    <div className="flex flex-col gap-y-2 rounded-lg border p-3" data-testid="loyalty-explain">
      <Text size="small" weight="plus">Rulebook {data.rulebook?.version?.slice(0, 12) ?? "(none)"}</Text>
      {data.rules_fired.map((r) => (
        <Text size="small" key={r.name}>{`${r.name} (${r.type ?? "?"}): ${fmt(r.contribution)}`}</Text>
      ))}
      {data.facts !== null && <pre className="max-h-64 overflow-auto text-xs">{JSON.stringify(data.facts, null, 2)}</pre>}
      {(data.rulebook?.files ?? []).map((f) => (
        <details key={f.name}>
          <summary className="cursor-pointer text-xs">{f.name}</summary>
          <pre className="max-h-64 overflow-auto text-xs">{f.text}</pre>
        </details>
      ))}
    </div>
  )
}

/** The member's redemption codes with their status. */
export function RedemptionsTable({ customerId }: { customerId: string }) {
  const { data, error } = useLoyaltyQuery<{ redemptions: Redemption[]; count: number }>(`/loyalty/accounts/${customerId}/redemptions`, { limit: 10 })
  const color = (s: string) => (s === "settled" ? "green" : s === "voided" ? "grey" : "blue")
  return (
    <div className="flex flex-col gap-y-2">
      <Heading level="h3">Redemption codes ({fmt(data?.count ?? 0)})</Heading>
      {error ? (
        <Text size="small" className="text-ui-fg-error">{errorMessage(error)}</Text>
      ) : (data?.redemptions ?? []).length === 0 ? (
        <Text size="small" className="text-ui-fg-subtle">No codes yet.</Text>
      ) : (
        <Table data-testid="loyalty-redemptions">
          <Table.Body>
            {data!.redemptions.map((r) => (
              <Table.Row key={r.id}>
                <Table.Cell>{r.discount_code}</Table.Cell>
                <Table.Cell>{`${fmt(r.points)} points → ${money(r.amount, r.currency_code)}`}</Table.Cell>
                <Table.Cell>expires {day(r.expires_at)}</Table.Cell>
                <Table.Cell><Badge color={color(r.status)}>{r.status}</Badge></Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      )}
    </div>
  )
}

/** `amount` minor units of `currency` as the major unit with its own decimals (JPY 0, KWD 3, most 2). */
function money(amount: number, currency: string): string {
  const decimals = currencyDecimals(currency)
  return `${(amount / 10 ** decimals).toFixed(decimals)} ${currency.toUpperCase()}`
}

/**
 * Adjust points. One Idempotency-Key per intent: every submit of the same points and reason (a double click, a retry
 * after a network error) carries the same key, so the server writes one entry; editing either field or a success
 * starts a new intent. Render it with `key={customerId}` so another customer never inherits a key or a draft.
 */
export function AdjustForm({ customerId, onDone }: { customerId: string; onDone?: (message: string) => void }) {
  const [points, setPoints] = useState("")
  const [reason, setReason] = useState("")
  const key = useIntentKey()
  const post = useLoyaltyPost<{ entry: Entry }>(`/loyalty/accounts/${customerId}/adjustments`)
  const edit = (set: (v: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    key.next()
    set(e.target.value)
  }
  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault()
    const result = await post.run({ points: Number(points), reason }, key.current())
    if (result) {
      key.next()
      setPoints("")
      setReason("")
      onDone?.(`Adjusted by ${fmt(result.entry.points)} points`)
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-y-2" data-testid="loyalty-adjust">
      <Heading level="h3">Adjust points</Heading>
      <div className="flex flex-wrap items-end gap-x-3 gap-y-2">
        <div className="flex flex-col gap-y-1">
          <Label htmlFor="loyalty-adjust-points">Points (negative to debit)</Label>
          <Input id="loyalty-adjust-points" name="points" type="number" step={1} value={points} onChange={edit(setPoints)} />
        </div>
        <div className="flex flex-1 flex-col gap-y-1">
          <Label htmlFor="loyalty-adjust-reason">Reason</Label>
          <Input id="loyalty-adjust-reason" name="reason" value={reason} onChange={edit(setReason)} />
        </div>
        <Button type="submit" variant="secondary" isLoading={post.loading} disabled={post.loading}>Adjust</Button>
      </div>
      {post.error && <Text size="small" className="text-ui-fg-error" data-testid="loyalty-adjust-error">{post.error}</Text>}
    </form>
  )
}
