import { Badge, Button, Container, Heading, Input, Table, Text, Textarea } from "@medusajs/ui"
import { useEffect, useState } from "react"
import {
  backtestSummary,
  formatDay as day,
  formatPoints as fmt,
  formatSignedPoints,
  issueLine,
  issuesOutsideFiles,
  validateSummary,
} from "../../core/domain/reports/admin-view"
import { RuleIssue, useLoyaltyPost, useLoyaltyQuery } from "../lib/loyalty-api"
import { Failure } from "./overview"

export type CandidateFile = { name: string; content: string }
type RulesView = { version: string | null; loaded_at: string | null; rules_dir: string; files: string[]; last_reload_error: { at: string; issues: RuleIssue[] } | null }
type Validation = { valid: boolean; version?: string; issues: RuleIssue[] }

/** The live rulebook: version, files, the last reload error and a reload-from-disk button. */
export function LiveRules() {
  const { data, error } = useLoyaltyQuery<{ rules: RulesView }>("/loyalty/rules")
  const reload = useLoyaltyPost<{ rules: RulesView }>("/loyalty/rules/reload")
  const rules = data?.rules
  return (
    <Container className="flex flex-col gap-y-3" data-testid="loyalty-live-rules">
      <div className="flex items-center justify-between">
        <Heading level="h2">Live rulebook</Heading>
        <Button size="small" variant="secondary" isLoading={reload.loading} onClick={() => reload.run({})}>Reload from disk</Button>
      </div>
      <Failure error={error} />
      {rules && (
        <Text size="small" data-testid="loyalty-live-version">{`Version ${rules.version?.slice(0, 12) ?? "none"} · loaded ${day(rules.loaded_at)} · ${rules.rules_dir}`}</Text>
      )}
      <div className="flex flex-wrap gap-2">{(rules?.files ?? []).map((f) => <Badge key={f}>{f}</Badge>)}</div>
      {reload.data && <Text size="small" data-testid="loyalty-reload-result">{`Reloaded: version ${reload.data.rules.version?.slice(0, 12)}`}</Text>}
      {reload.error && <Text size="small" className="text-ui-fg-error">{`Reload refused: ${reload.error}`}</Text>}
      {rules?.last_reload_error && (
        <Issues title={`Last reload failed (${day(rules.last_reload_error.at)}); the version above stays live`} issues={rules.last_reload_error.issues} />
      )}
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
  const validate = useLoyaltyPost<Validation>("/loyalty/rules/validate", { refresh: false })
  const current = files ?? []
  const invalid = validate.data && !validate.data.valid ? validate.data : null
  // Issues of the rulebook as a whole (e.g. "no accrual rules") name no file of the candidate.
  const unplaced = invalid ? issuesOutsideFiles(invalid.issues, current.map((f) => f.name)) : []
  const edit = (i: number, patch: Partial<CandidateFile>) => setFiles(current.map((f, j) => (j === i ? { ...f, ...patch } : f)))
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
      {live.error ? (
        <Failure error={live.error} testId="loyalty-files-error" />
      ) : (
        !live.data && <Text size="small">Loading the live files…</Text>
      )}
      {current.map((f, i) => (
        <div key={i} className="flex flex-col gap-y-1" data-file={f.name}>
          <div className="flex items-center gap-x-2">
            <Input aria-label="File name" value={f.name} onChange={(e) => edit(i, { name: e.target.value })} className="w-64" />
            <Button size="small" variant="transparent" onClick={() => setFiles(current.filter((_, j) => j !== i))}>Remove</Button>
          </div>
          <Textarea
            aria-label={`Content of ${f.name}`}
            value={f.content}
            rows={Math.min(18, f.content.split("\n").length + 1)}
            className="font-mono text-xs"
            onChange={(e) => edit(i, { content: e.target.value })}
          />
          {invalid && <Issues title={f.name} issues={invalid.issues.filter((x) => x.file === f.name)} source={f.content} />}
        </div>
      ))}
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
          <Text size="small" className="text-ui-fg-error" data-testid="loyalty-issue">{issueLine(x)}</Text>
          {x.line && lines[x.line - 1] !== undefined && <pre className="text-xs">{`${x.line} | ${lines[x.line - 1]}`}</pre>}
          {x.hint && <Text size="small" className="text-ui-fg-subtle">{x.hint}</Text>}
        </div>
      ))}
    </div>
  )
}

type SimulationResult = { points: number; rule_names: string[]; rulebook_version: string }

/** A stored order's verdict under the live rulebook or the candidate (writes nothing). */
function Simulate({ files }: { files: CandidateFile[] }) {
  const [orderId, setOrderId] = useState("")
  const sim = useLoyaltyPost<SimulationResult>("/loyalty/simulate", { refresh: false })
  const [which, setWhich] = useState<"live" | "candidate">("live")
  const run = (w: "live" | "candidate") => {
    setWhich(w)
    void sim.run({ order_id: orderId.trim(), ...(w === "candidate" ? { files } : {}) })
  }
  return (
    <div className="flex flex-col gap-y-2" data-testid="loyalty-simulate">
      <Heading level="h3">Simulate a stored order</Heading>
      <div className="flex gap-x-2">
        <Input placeholder="order_…" value={orderId} onChange={(e) => setOrderId(e.target.value)} className="w-72" aria-label="Order id" />
        <Button size="small" variant="secondary" onClick={() => run("live")} isLoading={sim.loading && which === "live"}>Simulate (live rules)</Button>
        <Button size="small" variant="secondary" onClick={() => run("candidate")} isLoading={sim.loading && which === "candidate"}>Simulate (candidate)</Button>
      </div>
      {sim.error && <Text size="small" className="text-ui-fg-error">{sim.error}</Text>}
      {sim.data && (
        <Text size="small" data-testid="loyalty-simulate-result">
          {`${which === "candidate" ? "Candidate" : "Live rules"}: ${fmt(sim.data.points)} points from ${sim.data.rule_names.join(", ") || "no rule"}`}
        </Text>
      )}
    </div>
  )
}

type BacktestMember = { customer_id: string; email: string | null; current_points: number; candidate_points: number; delta_points: number }
type BacktestReport = { orders_evaluated: number; orders_changed?: number; liability_delta_points: number; members: BacktestMember[] }

/**
 * The candidate re-evaluated over the stored orders (read-only): the liability delta and who gains or loses most. A
 * refusal's located issues are the validator's: the client surfaces only the message of a 400, so an invalid
 * candidate is validated to show where.
 */
function Backtest({ files }: { files: CandidateFile[] }) {
  const [since, setSince] = useState("")
  const bt = useLoyaltyPost<BacktestReport>("/loyalty/rules/backtest", { refresh: false })
  const why = useLoyaltyPost<Validation>("/loyalty/rules/validate", { refresh: false })
  const report = bt.data
  const run = async () => {
    const result = await bt.run({ files, ...(since ? { since } : {}) })
    if (!result) await why.run({ files })
  }
  return (
    <div className="flex flex-col gap-y-2" data-testid="loyalty-backtest">
      <Heading level="h3">Backtest the candidate on stored orders</Heading>
      <div className="flex gap-x-2">
        <Input type="date" value={since} onChange={(e) => setSince(e.target.value)} aria-label="Orders since" className="w-48" />
        <Button size="small" variant="secondary" onClick={run} isLoading={bt.loading}>Backtest</Button>
      </div>
      {bt.error && <Text size="small" className="text-ui-fg-error" data-testid="loyalty-backtest-error">{bt.error}</Text>}
      {bt.error && why.data && !why.data.valid && <Issues title="The candidate is invalid: nothing was evaluated" issues={why.data.issues} />}
      {report && (
        <>
          <Text data-testid="loyalty-backtest-delta">{backtestSummary(report)}</Text>
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
                <Table.Row key={m.customer_id} data-backtest-member={m.customer_id}>
                  <Table.Cell>{m.email ?? m.customer_id}</Table.Cell>
                  <Table.Cell className="text-right">{fmt(m.current_points)}</Table.Cell>
                  <Table.Cell className="text-right">{fmt(m.candidate_points)}</Table.Cell>
                  <Table.Cell className="text-right">{formatSignedPoints(m.delta_points)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </>
      )}
    </div>
  )
}
