import { Heading, Table, Text } from "@medusajs/ui"
import { Failure } from "./overview"
import { useLoyaltyQuery } from "../lib/loyalty-api"

type Settings = { plugin_options: Record<string, unknown>; program: Record<string, unknown>; rulebook_version: string | null; docs: Record<string, string> }

/** Two key/value tables (options, program) and the documentation the server reports (GET /admin/loyalty/settings). */
export function SettingsView() {
  const { data, error } = useLoyaltyQuery<Settings>("/loyalty/settings")
  if (error) return <Failure error={error} testId="loyalty-settings-error" />
  if (!data) return <Text>Loading…</Text>
  return (
    <div className="flex flex-col gap-y-6" data-testid="loyalty-settings">
      <KeyValues title="Plugin options (medusa-config.ts)" values={data.plugin_options} testId="loyalty-settings-options" />
      <KeyValues title={`Program settings (rulebook ${data.rulebook_version?.slice(0, 12) ?? "none"})`} values={data.program} testId="loyalty-settings-program" />
      <div className="flex flex-col gap-y-1">
        <Heading level="h2">Documentation</Heading>
        <Text size="small" className="text-ui-fg-subtle">Shipped with the plugin, in its package folder:</Text>
        {Object.entries(data.docs ?? {}).map(([label, file]) =>
          /^https?:/.test(file) ? (
            <a key={label} className="text-ui-fg-interactive" href={file} target="_blank" rel="noreferrer">{label}</a>
          ) : (
            <Text key={label} size="small">{`${label}: ${file}`}</Text>
          )
        )}
      </div>
    </div>
  )
}

function KeyValues({ title, values, testId }: { title: string; values: Record<string, unknown>; testId: string }) {
  return (
    <div className="flex flex-col gap-y-2" data-testid={testId}>
      <Heading level="h2">{title}</Heading>
      <Table>
        <Table.Body>
          {Object.entries(values ?? {}).map(([k, v]) => (
            <Table.Row key={k} data-key={k}>
              <Table.Cell className="font-mono">{k}</Table.Cell>
              <Table.Cell className="font-mono">{typeof v === "object" ? JSON.stringify(v) : String(v)}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </div>
  )
}
