import { Badge, Button, Container, Heading, Input, Table, Text, Textarea } from "@medusajs/ui"
import { useEffect, useState } from "react"
import { RuleIssue, day, errorMessage, fmt, useLoyaltyPost, useLoyaltyQuery } from "./api"
import { backtestSummary, issueLine, issuesOutsideFiles, validateSummary } from "../../domain/reports/admin-view"

export type CandidateFile = { name: string; content: string }
type RulesView = { version: string | null; loaded_at: string | null; rules_dir: string; files: string[]; last_reload_error: { at: string; issues: RuleIssue[] } | null }

/** The live rulebook: version, files, the last reload error and a reload-from-disk button. */
export function LiveRules() {
  const { data, error } = useLoyaltyQuery<{ rules: RulesView }>("/loyalty/rules")
  const reload = useLoyaltyPost<{ rules: RulesView }>("/loyalty/rules/reload")
  const refused = reload.errorBody?.issues as RuleIssue[] | undefined
  const rules = data?.rules
  return (
    <Container className="flex flex-col gap-y-3" data-testid="loyalty-live-rules">
      <div className="flex items-center justify-between">
        <Heading level="h2">Live rulebook</Heading>
        <Button size="small" variant="secondary" isLoading={reload.loading} onClick={() => reload.run({})}>Reload from disk</Button>
      </div>
      {error && <Text size="small" className="text-ui-fg-error">{errorMessage(error)}</Text>}
      <Text size="small">{`Version ${rules?.version?.slice(0, 12) ?? "none"} · loaded ${day(rules?.loaded_at)} · ${rules?.rules_dir ?? ""}`}</Text>
      <div className="flex flex-wrap gap-2">{(rules?.files ?? []).map((f) => <Badge key={f}>{f}</Badge>)}</div>
      {rules?.last_reload_error && <Issues title={`Last reload failed (${day(rules.last_reload_error.at)}); the version above stays live`} issues={rules.last_reload_error.issues} />}
      {reload.error && <Text size="small" className="text-ui-fg-error">{reload.error}</Text>}
      {refused && <Issues title="Reload refused: the files on disk are invalid, the version above stays live" issues={refused} />}
    </Container>
  )
}

/** Candidate files: start from the live text, edit, add; validate, simulate and backtest without applying anything. */
export function CandidateEditor() {
  const live = useLoyaltyQuery<{ version: string | null; files: CandidateFile[] }>("/loyalty/rules/files")
  const [files, setFiles] = useState<CandidateFile[] | null>(null)
  useEffect(() => {
    if (files === null && live.data) setFiles(live.data.files.map((f) => ({ ...f })))
  }, [live.data, files])
  const validate = useLoyaltyPost<{ valid: boolean; version?: string; issues: RuleIssue[] }>("/loyalty/rules/validate", { refresh: false })
  // Issues of the rulebook as a whole (e.g. "no accrual rules") name no file of the candidate.
  const unplaced = validate.data && !validate.data.valid ? issuesOutsideFiles(validate.data.issues, (files ?? []).map((f) => f.name)) : []
  const edit = (i: number, patch: Partial<CandidateFile>) => setFiles((fs) => (fs ?? []).map((f, j) => (j === i ? { ...f, ...patch } : f)))
  const current = files ?? []
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-candidate">
      <div className="flex items-center justify-between">
        <Heading level="h2">Candidate rule files</Heading>
        <div className="flex gap-x-2">
          <Button size="small" variant="secondary" onClick={() => setFiles([...current, { name: `new-${current.length + 1}.json`, content: "{\n}\n" }])}>Add file</Button>
          <Button size="small" variant="secondary" onClick={() => setFiles(live.data?.files.map((f) => ({ ...f })) ?? [])}>Reset to live</Button>
          <Button size="small" onClick={() => validate.run({ files: current })} isLoading={validate.loading}>Validate</Button>
        </div>
      </div>
      {current.map((f, i) => (
        <div key={i} className="flex flex-col gap-y-1" data-file={f.name}>
          <div className="flex items-center gap-x-2">
            <Input aria-label="File name" value={f.name} onChange={(e) => edit(i, { name: e.target.value })} className="w-64" />
            <Button size="small" variant="transparent" onClick={() => setFiles(current.filter((_, j) => j !== i))}>Remove</Button>
          </div>
          <Textarea aria-label={`Content of ${f.name}`} value={f.content} rows={Math.min(18, f.content.split("\n").length + 1)} className="font-mono text-xs" onChange={(e) => edit(i, { content: e.target.value })} />
          {validate.data && !validate.data.valid && <Issues title={`${f.name}`} issues={validate.data.issues.filter((x) => x.file === f.name)} source={f.content} />}
        </div>
      ))}
      {live.error && <Text size="small" className="text-ui-fg-error">{errorMessage(live.error)}</Text>}
      {unplaced.length > 0 && <Issues title="The rulebook as a whole" issues={unplaced} />}
      {validate.error && <Text size="small" className="text-ui-fg-error">{validate.error}</Text>}
      {validate.data && (
        <Text size="small" data-testid="loyalty-validate-result" className={validate.data.valid ? "text-ui-fg-interactive" : "text-ui-fg-error"}>
          {validateSummary(validate.data)}
        </Text>
      )}
      <Simulate files={current} />
      <Backtest files={current} />
    </Container>
  )
}

/** Located issues, each with its line of the file when the text is at hand. */
export function Issues({ title, issues, source }: { title: string; issues: RuleIssue[]; source?: string }) {
  if (!issues.length) return null
  const lines = source?.split("\n") ?? []
  return (
    <div className="flex flex-col gap-y-1 rounded border border-ui-border-error p-2" data-testid="loyalty-issues">
      <Text size="small" weight="plus">{title}</Text>
      {issues.map((x, k) => (
        <div key={k} className="flex flex-col" data-issue-line={x.line ?? ""}>
          <Text size="small" className="text-ui-fg-error">{issueLine(x)}</Text>
          {x.line && lines[x.line - 1] !== undefined && <pre className="text-xs">{`${x.line} | ${lines[x.line - 1]}`}</pre>}
          {x.hint && <Text size="small" className="text-ui-fg-subtle">{x.hint}</Text>}
        </div>
      ))}
    </div>
  )
}

type SimulationResult = { points: number; rule_names: string[]; rulebook_version: string; tier?: unknown; promotions?: unknown }

/** The candidate files' verdict for a stored order (writes nothing; the live rulebook is not touched). */
function Simulate({ files }: { files: CandidateFile[] }) {
  const [orderId, setOrderId] = useState("")
  const sim = useLoyaltyPost<SimulationResult>("/loyalty/simulate", { refresh: false })
  const invalid = sim.errorBody?.issues as RuleIssue[] | undefined
  return (
    <div className="flex flex-col gap-y-2" data-testid="loyalty-simulate">
      <Heading level="h3">Simulate an order with the candidate</Heading>
      <div className="flex gap-x-2">
        <Input placeholder="order_…" value={orderId} onChange={(e) => setOrderId(e.target.value)} className="w-72" aria-label="Order id" />
        <Button size="small" variant="secondary" onClick={() => sim.run({ order_id: orderId.trim(), files })} isLoading={sim.loading}>Simulate</Button>
      </div>
      {sim.error && <Text size="small" className="text-ui-fg-error">{sim.error}</Text>}
      {invalid && <Issues title="The candidate is invalid: nothing was evaluated" issues={invalid} />}
      {sim.data && <Text size="small" data-testid="loyalty-simulate-result">{`${fmt(sim.data.points)} points from ${sim.data.rule_names.join(", ") || "no rule"}`}</Text>}
    </div>
  )
}

type BacktestMember = { customer_id: string; email: string | null; current_points: number; candidate_points: number; delta_points: number }
type BacktestReport = { orders_evaluated: number; liability_delta_points: number; members: BacktestMember[] }

/** The candidate re-evaluated over the store's stored orders (read-only): the liability delta and who gains or loses most. */
function Backtest({ files }: { files: CandidateFile[] }) {
  const [since, setSince] = useState("")
  const bt = useLoyaltyPost<BacktestReport>("/loyalty/rules/backtest", { refresh: false })
  const report = bt.data
  const invalid = bt.errorBody?.issues as RuleIssue[] | undefined
  return (
    <div className="flex flex-col gap-y-2" data-testid="loyalty-backtest">
      <Heading level="h3">Backtest the candidate on stored orders</Heading>
      <div className="flex gap-x-2">
        <Input type="date" value={since} onChange={(e) => setSince(e.target.value)} aria-label="Orders since" className="w-48" />
        <Button size="small" variant="secondary" onClick={() => bt.run({ files, ...(since ? { since } : {}) })} isLoading={bt.loading}>Backtest</Button>
      </div>
      {bt.error && <Text size="small" className="text-ui-fg-error">{bt.error}</Text>}
      {invalid && <Issues title="The candidate is invalid: nothing was evaluated" issues={invalid} />}
      {report && (
        <>
          <Text data-testid="loyalty-backtest-delta">
            {backtestSummary(report)}
          </Text>
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>Member</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Now</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Candidate</Table.HeaderCell>
                <Table.HeaderCell className="text-right">Delta</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {report.members.map((m) => (
                <Table.Row key={m.customer_id}>
                  <Table.Cell>{m.email ?? m.customer_id}</Table.Cell>
                  <Table.Cell className="text-right">{fmt(m.current_points)}</Table.Cell>
                  <Table.Cell className="text-right">{fmt(m.candidate_points)}</Table.Cell>
                  <Table.Cell className="text-right">{`${m.delta_points > 0 ? "+" : ""}${fmt(m.delta_points)}`}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </>
      )}
    </div>
  )
}


