import { Badge, Button, Container, Heading, Input, Select, Table, Text } from "@medusajs/ui"
import { useState } from "react"
import { Link } from "react-router-dom"
import { ACTIVITY_SERIES, ACTIVITY_WINDOWS, activityRange, formatPoints as fmt } from "../../core/domain/reports/admin-view"
import { errorMessage, useLoyaltyPost, useLoyaltyQuery } from "../lib/loyalty-api"
import { DailyBars, DailyLine, LabelBars } from "../../core/admin/components/charts"

type Account = {
  id: string
  customer_id: string
  email?: string | null
  points_balance: number
  points_lifetime: number
  points_pending: number
  tier: { code: string; name: string } | null
}
type TierRow = { code: string; name: string; rank: number; threshold: number | null; customer_group_id: string | null; member_count: number }
type Day = { date: string; issued_points: number; redeemed_points: number; expired_points: number; clawed_back_points: number; adjusted_points: number; outstanding_points: number }

const PAGE = 20
const ALL_TIERS = "all"

/** A request's failure under its section, without taking the rest of the page down. */
export function Failure({ error, testId }: { error: unknown; testId?: string }) {
  if (!error) return null
  return <Text size="small" className="text-ui-fg-error" data-testid={testId}>{errorMessage(error)}</Text>
}

/** Members: search by email or id, filter by tier, page through (GET /admin/loyalty/accounts?q&tier). */
export function Members() {
  const [q, setQ] = useState("")
  const [tier, setTier] = useState(ALL_TIERS)
  const [offset, setOffset] = useState(0)
  const tiers = useLoyaltyQuery<{ tiers: TierRow[] }>("/loyalty/tiers")
  const { data, error, isFetching } = useLoyaltyQuery<{ loyalty_accounts: Account[]; count: number }>(
    "/loyalty/accounts",
    { q: q.trim(), tier: tier === ALL_TIERS ? undefined : tier, limit: PAGE, offset },
    { keepPrevious: true }
  )
  const count = data?.count ?? 0
  const rows = data?.loyalty_accounts ?? []
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-members" data-loading={isFetching ? "true" : "false"}>
      <div className="flex items-center justify-between">
        <Heading level="h2">Members</Heading>
        <Text size="small" className="text-ui-fg-subtle" data-testid="loyalty-members-count">{`${fmt(count)} members`}</Text>
      </div>
      <div className="flex flex-wrap gap-x-3 gap-y-2">
        <Input
          type="search"
          placeholder="Search by email or customer id"
          aria-label="Search members by email or customer id"
          name="member-search"
          value={q}
          onChange={(e) => { setQ(e.target.value); setOffset(0) }}
          className="w-72"
        />
        <div className="w-48">
          <Select value={tier} onValueChange={(v) => { setTier(v); setOffset(0) }}>
            <Select.Trigger aria-label="Filter by tier" data-testid="loyalty-tier-filter">
              <Select.Value placeholder="All tiers" />
            </Select.Trigger>
            <Select.Content>
              <Select.Item value={ALL_TIERS}>All tiers</Select.Item>
              {(tiers.data?.tiers ?? []).map((t) => <Select.Item key={t.code} value={t.code}>{t.name}</Select.Item>)}
            </Select.Content>
          </Select>
        </div>
      </div>
      <Failure error={error} />
      {!error && data && rows.length === 0 && <Text size="small" className="text-ui-fg-subtle" data-testid="loyalty-members-empty">No members match.</Text>}
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
          {rows.map((a) => (
            <Table.Row key={a.id} data-member={a.customer_id}>
              <Table.Cell><Link className="text-ui-fg-interactive" to={`/customers/${a.customer_id}`}>{a.email ?? a.customer_id}</Link></Table.Cell>
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

/** Points issued, redeemed, expired, clawed back and adjusted per day, the liability over time, members per tier. */
export function Activity() {
  const [days, setDays] = useState<number>(30)
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
      <Failure error={activity.error} testId="loyalty-activity-error" />
      {activity.data && (
        <>
          <DailyBars testId="loyalty-chart-activity" rows={rows} series={ACTIVITY_SERIES} />
          <DailyLine testId="loyalty-chart-liability" rows={rows} valueKey="outstanding_points" label="Outstanding points (liability)" />
        </>
      )}
      <Heading level="h3">Members per tier</Heading>
      <Failure error={tiers.error} testId="loyalty-tier-stats-error" />
      {tiers.data && <LabelBars testId="loyalty-chart-tiers" rows={tiers.data.tiers.map((t) => ({ label: t.name, value: t.members }))} />}
    </Container>
  )
}

/** The tier ladder with member counts and each tier's customer group. */
export function Tiers() {
  const { data, error } = useLoyaltyQuery<{ tiers: TierRow[] }>("/loyalty/tiers")
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-tiers">
      <Heading level="h2">Tiers</Heading>
      <Failure error={error} />
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
            <Table.Row key={t.code} data-tier={t.code}>
              <Table.Cell>{t.name}</Table.Cell>
              <Table.Cell className="text-right">{fmt(t.threshold ?? 0)}</Table.Cell>
              <Table.Cell className="text-right">{fmt(t.member_count)}</Table.Cell>
              <Table.Cell>
                {t.customer_group_id ? <Link className="text-ui-fg-interactive" to={`/customer-groups/${t.customer_group_id}`}>{t.customer_group_id}</Link> : "not created yet"}
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </Container>
  )
}

type Promotion = { code: string; status: string; promotion_id: string | null; customer_group_id: string | null; rulebook_version: string | null; disabled_at: string | null }
type Reason = { code: string; reason: string }
type ReconcileResult = { created: string[]; updated: string[]; disabled: string[]; unchanged: string[]; conflicts: Reason[]; pending: Reason[]; failed: Reason[] }

/** Member promotions with their v2 promotion; reconciling shows conflicts (a code held by a promotion we did not create). */
export function Promotions() {
  const { data, error } = useLoyaltyQuery<{ promotions: Promotion[] }>("/loyalty/promotions")
  const reconcile = useLoyaltyPost<ReconcileResult>("/loyalty/promotions/reconcile")
  const color = (s: string) => (s === "active" ? "green" : s === "disabled" ? "grey" : "orange")
  const r = reconcile.data
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-promotions">
      <div className="flex items-center justify-between">
        <Heading level="h2">Member promotions</Heading>
        <Button size="small" variant="secondary" isLoading={reconcile.loading} onClick={() => reconcile.run({})}>Reconcile promotions</Button>
      </div>
      <Failure error={error} />
      {data && data.promotions.length === 0 && <Text size="small" className="text-ui-fg-subtle">No member promotions yet.</Text>}
      <Table>
        <Table.Body>
          {(data?.promotions ?? []).map((p) => (
            <Table.Row key={p.code}>
              <Table.Cell>{p.code}</Table.Cell>
              <Table.Cell><Badge color={color(p.status)}>{p.status}</Badge></Table.Cell>
              <Table.Cell>{p.promotion_id ? <Link className="text-ui-fg-interactive" to={`/promotions/${p.promotion_id}`}>{p.promotion_id}</Link> : "–"}</Table.Cell>
              <Table.Cell>{p.customer_group_id ? <Link className="text-ui-fg-interactive" to={`/customer-groups/${p.customer_group_id}`}>group</Link> : "–"}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
      {reconcile.error && <Text size="small" className="text-ui-fg-error">{reconcile.error}</Text>}
      {r && (
        <Text size="small" data-testid="loyalty-promotions-result">
          {`Created ${r.created.length}, updated ${r.updated.length}, disabled ${r.disabled.length}, unchanged ${r.unchanged.length}; `}
          {r.conflicts.length ? `conflicts: ${r.conflicts.map((c) => `${c.code} — ${c.reason}`).join("; ")}` : "no conflicts"}
          {r.failed.length ? `; failed: ${r.failed.map((c) => `${c.code} — ${c.reason}`).join("; ")}` : ""}
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
  { name: "settle", label: "Settle used codes", method: "POST", path: "/loyalty/jobs/redemptions/settle" },
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
  const [asked, setAsked] = useState(false)
  const get = useLoyaltyQuery<unknown>(job.path, undefined, { enabled: job.method === "GET" && asked })
  const result = job.method === "GET" ? get.data : post.data
  const error = job.method === "GET" ? (get.error ? errorMessage(get.error) : null) : post.error
  const run = () => (job.method === "GET" ? (asked ? void get.refetch() : setAsked(true)) : void post.run({}))
  return (
    <div className="flex flex-col gap-y-1" data-job={job.name}>
      <div className="flex items-center gap-x-3">
        <Button size="small" variant="secondary" isLoading={post.loading || get.isFetching} onClick={run}>{job.label}</Button>
        {error && <Text size="small" className="text-ui-fg-error">{error}</Text>}
      </div>
      {result !== undefined && result !== null && (
        <pre className="max-h-48 overflow-auto rounded bg-ui-bg-subtle p-2 text-xs" data-testid={`loyalty-job-${job.name}`}>
          {JSON.stringify(result, null, 2)}
        </pre>
      )}
    </div>
  )
}
