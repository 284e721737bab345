import { Badge, Button, Container, Heading, Input, Table, Text } from "@medusajs/ui"
import { useState } from "react"
import { Account, adminHref, errorMessage, fmt, useLoyaltyPost, useLoyaltyQuery } from "./api"
import { DailyBars, DailyLine, LabelBars } from "./charts"
import { ACTIVITY_SERIES, ACTIVITY_WINDOWS, activityRange } from "../../domain/reports/admin-view"

type TierRow = { code: string; name: string; rank: number; threshold: number | null; customer_group_id: string | null; member_count: number }
type Day = { date: string; issued_points: number; redeemed_points: number; expired_points: number; clawed_back_points: number; adjusted_points: number; outstanding_points: number }

const PAGE = 20

/** Members: search by email or id, filter by tier, page through. */
export function Members() {
  const [q, setQ] = useState("")
  const [tier, setTier] = useState("")
  const [offset, setOffset] = useState(0)
  const tiers = useLoyaltyQuery<{ tiers: TierRow[] }>("/loyalty/tiers")
  const { data, error } = useLoyaltyQuery<{ loyalty_accounts: Account[]; count: number }>("/loyalty/accounts", { q: q.trim(), tier, limit: PAGE, offset }, { keepPrevious: true })
  const count = data?.count ?? 0
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-members">
      <Heading level="h2">Members</Heading>
      <div className="flex flex-wrap gap-x-3 gap-y-2">
        <Input placeholder="Search by email or customer id" aria-label="Search members by email or customer id" value={q} onChange={(e) => { setQ(e.target.value); setOffset(0) }} className="w-72" name="member-search" />
        <select aria-label="Filter by tier" name="tier-filter" className="rounded-md border px-2 text-sm" value={tier} onChange={(e) => { setTier(e.target.value); setOffset(0) }}>
          <option value="">All tiers</option>
          {(tiers.data?.tiers ?? []).map((t) => <option key={t.code} value={t.code}>{t.name}</option>)}
        </select>
      </div>
      {error && <Text className="text-ui-fg-error">{errorMessage(error)}</Text>}
      <Table>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Customer</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Balance</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Pending</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Lifetime</Table.HeaderCell>
            <Table.HeaderCell>Tier</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {(data?.loyalty_accounts ?? []).map((a) => (
            <Table.Row key={a.id} data-member={a.customer_id}>
              <Table.Cell><a className="text-ui-fg-interactive" href={adminHref(`customers/${a.customer_id}`)}>{a.email ?? a.customer_id}</a></Table.Cell>
              <Table.Cell className="text-right">{fmt(a.points_balance)}</Table.Cell>
              <Table.Cell className="text-right">{fmt(a.points_pending)}</Table.Cell>
              <Table.Cell className="text-right">{fmt(a.points_lifetime)}</Table.Cell>
              <Table.Cell>{a.tier?.name ?? "–"}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
      <Table.Pagination
        count={count}
        pageSize={PAGE}
        pageIndex={offset / PAGE}
        pageCount={Math.max(1, Math.ceil(count / PAGE))}
        canPreviousPage={offset > 0}
        canNextPage={offset + PAGE < count}
        previousPage={() => setOffset(Math.max(0, offset - PAGE))}
        nextPage={() => setOffset(offset + PAGE)}
      />
    </Container>
  )
}

/** Points issued, redeemed, expired and clawed back per day, and the liability over time; members per tier. */
export function Activity() {
  const [days, setDays] = useState(30)
  const { from, to } = activityRange(new Date(), days)
  const activity = useLoyaltyQuery<{ days: Day[] }>("/loyalty/stats/activity", { from, to })
  const tiers = useLoyaltyQuery<{ tiers: Array<{ code: string; name: string; members: number }> }>("/loyalty/stats/tiers")
  const rows = activity.data?.days ?? []
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-activity">
      <div className="flex items-center justify-between">
        <Heading level="h2">Activity</Heading>
        <div className="flex gap-x-2">
          {ACTIVITY_WINDOWS.map((n) => (
            <Button key={n} size="small" variant={n === days ? "primary" : "secondary"} onClick={() => setDays(n)}>{`${n} days`}</Button>
          ))}
        </div>
      </div>
      {activity.error && <Text className="text-ui-fg-error">{errorMessage(activity.error)}</Text>}
      <DailyBars
        testId="loyalty-chart-activity"
        rows={rows}
        series={ACTIVITY_SERIES}
      />
      <DailyLine testId="loyalty-chart-liability" rows={rows} valueKey="outstanding_points" label="Outstanding points (liability)" />
      <Heading level="h3">Members per tier</Heading>
      <LabelBars testId="loyalty-chart-tiers" rows={(tiers.data?.tiers ?? []).map((t) => ({ label: t.name, value: t.members }))} />
    </Container>
  )
}

/** The tier ladder with member counts and each tier's Medusa customer group. */
export function Tiers() {
  const { data, error } = useLoyaltyQuery<{ tiers: TierRow[] }>("/loyalty/tiers")
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-tiers">
      <Heading level="h2">Tiers</Heading>
      {error && <Text className="text-ui-fg-error">{errorMessage(error)}</Text>}
      <Table>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Tier</Table.HeaderCell>
            <Table.HeaderCell className="text-right">From (lifetime points)</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Members</Table.HeaderCell>
            <Table.HeaderCell>Customer group</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {(data?.tiers ?? []).map((t) => (
            <Table.Row key={t.code}>
              <Table.Cell>{t.name}</Table.Cell>
              <Table.Cell className="text-right">{fmt(t.threshold ?? 0)}</Table.Cell>
              <Table.Cell className="text-right">{fmt(t.member_count)}</Table.Cell>
              <Table.Cell>{t.customer_group_id ? <a className="text-ui-fg-interactive" href={adminHref(`customers/groups/${t.customer_group_id}`)}>{t.customer_group_id}</a> : "not created yet"}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </Container>
  )
}

type Promotion = { code: string; status: string; discount_id: string | null; customer_group_id: string; member_count: number; disabled_at: string | null }
type ReconcileResult = { conflicts: Array<{ code: string; reason: string }>; pending: Array<{ code: string; reason: string }>; created: string[]; updated: string[]; disabled: string[] }

/** Member promotions with their discount status; reconciling shows conflicts (a code held by a discount we did not create). */
export function Promotions() {
  const { data, error } = useLoyaltyQuery<{ promotions: Promotion[] }>("/loyalty/promotions")
  const reconcile = useLoyaltyPost<ReconcileResult>("/loyalty/promotions/reconcile")
  const color = (s: string) => (s === "active" ? "green" : s === "disabled" ? "grey" : "orange")
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-promotions">
      <div className="flex items-center justify-between">
        <Heading level="h2">Member promotions</Heading>
        <Button size="small" variant="secondary" isLoading={reconcile.loading} onClick={() => reconcile.run({})}>Reconcile promotions</Button>
      </div>
      {error && <Text className="text-ui-fg-error">{errorMessage(error)}</Text>}
      <Table>
        <Table.Body>
          {(data?.promotions ?? []).map((p) => (
            <Table.Row key={p.code}>
              <Table.Cell>{p.code}</Table.Cell>
              <Table.Cell><Badge color={color(p.status)}>{p.status}</Badge></Table.Cell>
              <Table.Cell>{p.discount_id ? <a className="text-ui-fg-interactive" href={adminHref(`discounts/${p.discount_id}`)}>{p.discount_id}</a> : "–"}</Table.Cell>
              <Table.Cell className="text-right">{`${fmt(p.member_count)} members`}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
      {reconcile.error && <Text className="text-ui-fg-error">{reconcile.error}</Text>}
      {reconcile.data && (
        <Text size="small" data-testid="loyalty-promotions-result">
          {`Created ${reconcile.data.created.length}, updated ${reconcile.data.updated.length}, disabled ${reconcile.data.disabled.length}; `}
          {reconcile.data.conflicts.length ? `conflicts: ${reconcile.data.conflicts.map((c) => `${c.code} — ${c.reason}`).join("; ")}` : "no conflicts"}
        </Text>
      )}
    </Container>
  )
}

const JOBS: Array<{ name: string; label: string; method: "GET" | "POST"; path: string }> = [
  { name: "verify", label: "Verify ledger", method: "GET", path: "/loyalty/verify" },
  { name: "reconcile", label: "Reconcile missed events", method: "POST", path: "/loyalty/jobs/reconcile" },
  { name: "expire", label: "Expire points", method: "POST", path: "/loyalty/jobs/expire" },
  { name: "activate", label: "Activate pending", method: "POST", path: "/loyalty/jobs/activate" },
  { name: "tiers", label: "Recompute tiers", method: "POST", path: "/loyalty/jobs/tiers" },
]

/** The jobs an operator runs by hand; each shows the JSON it returned. */
export function Jobs() {
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-jobs">
      <Heading level="h2">Jobs</Heading>
      {JOBS.map((j) => <Job key={j.name} job={j} />)}
    </Container>
  )
}

function Job({ job }: { job: (typeof JOBS)[number] }) {
  const post = useLoyaltyPost<unknown>(job.path)
  const [verify, setVerify] = useState(false)
  const get = useLoyaltyQuery<unknown>(job.path, undefined, { enabled: verify })
  const result = job.method === "GET" ? get.data : post.data
  const error = job.method === "GET" ? (get.error ? errorMessage(get.error) : null) : post.error
  const run = () => (job.method === "GET" ? (verify ? get.refetch() : setVerify(true)) : post.run({}))
  return (
    <div className="flex flex-col gap-y-1" data-job={job.name}>
      <div className="flex items-center gap-x-3">
        <Button size="small" variant="secondary" isLoading={post.loading || get.isFetching} onClick={run}>{job.label}</Button>
        {error && <Text size="small" className="text-ui-fg-error">{error}</Text>}
      </div>
      {result !== undefined && result !== null && (
        <pre className="max-h-48 overflow-auto rounded bg-ui-bg-subtle p-2 text-xs" data-testid={`loyalty-job-${job.name}`}>
          {JSON.stringify(stripResponse(result), null, 2)}
        </pre>
      )}
    </div>
  )
}

const stripResponse = (r: unknown) => {
  const { response: _r, ...rest } = (r ?? {}) as Record<string, unknown>
  return rest
}
