import { Text } from "@medusajs/ui"
// The core's formatter, imported directly (not through ./api): v2's admin compiles this same file (its sync-core copy).
import { formatPoints as fmt } from "../../domain/reports/admin-view"

/**
 * Small SVG charts: the dashboard bundles no chart library, and these need none. Every chart is a `figure` with a
 * `data-testid`, one shape per data point and a `<title>` per shape, so a browser test can count what rendered.
 */
export type Series = { key: string; label: string; color: string }

const W = 720
const H = 180
const PAD = 28

/** Bars per day, one group per day with a bar per series (values may be negative: clawbacks and expiries). */
export function DailyBars({ rows, series, testId }: { rows: Array<Record<string, number | string>>; series: Series[]; testId: string }) {
  const values = rows.flatMap((r) => series.map((s) => Number(r[s.key])))
  const max = Math.max(1, ...values.map((v) => Math.abs(v)))
  const group = (W - PAD) / Math.max(1, rows.length)
  const bar = Math.max(1, (group - 2) / series.length)
  const y = (v: number) => (H / 2) * (1 - v / max)
  return (
    <figure data-testid={testId} className="flex flex-col gap-y-2">
      <svg viewBox={`0 0 ${W} ${H + 16}`} className="w-full" role="img" aria-label={`${series.map((x) => x.label).join(", ")} per day`}>
        <line x1={PAD} x2={W} y1={H / 2} y2={H / 2} stroke="#d1d5db" />
        <text x={0} y={10} fontSize={10} fill="#6b7280">{fmt(max)}</text>
        <text x={0} y={H} fontSize={10} fill="#6b7280">-{fmt(max)}</text>
        {rows.map((r, i) =>
          series.map((s, j) => {
            const v = Number(r[s.key])
            if (!v) return null
            const top = Math.min(y(v), H / 2)
            return (
              <rect key={`${i}-${s.key}`} data-series={s.key} x={PAD + i * group + j * bar} y={top} width={bar} height={Math.max(1, Math.abs(y(v) - H / 2))} fill={s.color}>
                <title>{`${r.date} ${s.label}: ${fmt(v)}`}</title>
              </rect>
            )
          })
        )}
        {rows.length > 0 && <text x={PAD} y={H + 14} fontSize={10} fill="#6b7280">{String(rows[0].date)}</text>}
        {rows.length > 1 && <text x={W} y={H + 14} fontSize={10} fill="#6b7280" textAnchor="end">{String(rows[rows.length - 1].date)}</text>}
      </svg>
      <Legend series={series} />
    </figure>
  )
}

/** A line over days (the outstanding liability). */
export function DailyLine({ rows, valueKey, label, testId }: { rows: Array<Record<string, number | string>>; valueKey: string; label: string; testId: string }) {
  const values = rows.map((r) => Number(r[valueKey]))
  const max = Math.max(1, ...values)
  const min = Math.min(0, ...values)
  const x = (i: number) => PAD + (i * (W - PAD)) / Math.max(1, rows.length - 1)
  const y = (v: number) => H - ((v - min) / (max - min || 1)) * (H - 10)
  const points = values.map((v, i) => `${x(i)},${y(v)}`).join(" ")
  return (
    <figure data-testid={testId} className="flex flex-col gap-y-2">
      <svg viewBox={`0 0 ${W} ${H + 16}`} className="w-full" role="img" aria-label={label}>
        <text x={0} y={10} fontSize={10} fill="#6b7280">{fmt(max)}</text>
        <polyline points={points} fill="none" stroke="#7c3aed" strokeWidth={2} />
        {values.map((v, i) => (
          <circle key={i} data-point={valueKey} cx={x(i)} cy={y(v)} r={2.5} fill="#7c3aed">
            <title>{`${rows[i].date} ${label}: ${fmt(v)}`}</title>
          </circle>
        ))}
      </svg>
      <Text size="small" className="text-ui-fg-subtle">{label}</Text>
    </figure>
  )
}

/** Horizontal bars, one per label (members per tier). */
export function LabelBars({ rows, testId }: { rows: Array<{ label: string; value: number }>; testId: string }) {
  const max = Math.max(1, ...rows.map((r) => r.value))
  return (
    <figure data-testid={testId} className="flex flex-col gap-y-1">
      {rows.map((r) => (
        <div key={r.label} className="flex items-center gap-x-3" data-bar={r.label} data-value={r.value}>
          <Text size="small" className="w-24 shrink-0">{r.label}</Text>
          <div className="h-3 rounded bg-ui-bg-subtle flex-1">
            <div className="h-3 rounded bg-violet-500" style={{ width: `${(100 * r.value) / max}%` }} />
          </div>
          <Text size="small" className="w-12 text-right">{fmt(r.value)}</Text>
        </div>
      ))}
    </figure>
  )
}

function Legend({ series }: { series: Series[] }) {
  return (
    <div className="flex flex-wrap gap-x-4">
      {series.map((s) => (
        <span key={s.key} className="flex items-center gap-x-1">
          <span className="inline-block h-2 w-2 rounded-sm" style={{ background: s.color }} />
          <Text size="small">{s.label}</Text>
        </span>
      ))}
    </div>
  )
}
