import { Heading, Table, Text } from "@medusajs/ui"
import { errorMessage, useLoyaltyQuery } from "./api"

type Settings = { plugin_options: Record<string, unknown>; program: Record<string, unknown>; rulebook_version: string | null; docs: Record<string, string> }

/** Two key/value tables (options, program) and the documentation links the server reports. */
export function SettingsView() {
  const { data, error } = useLoyaltyQuery<Settings>("/loyalty/settings")
  if (error) return <Text className="text-ui-fg-error">{errorMessage(error)}</Text>
  if (!data) return <Text>Loading…</Text>
  return (
    <div className="flex flex-col gap-y-6" data-testid="loyalty-settings">
      <KeyValues title="Plugin options (medusa-config.js)" values={data.plugin_options} />
      <KeyValues title={`Program settings (rulebook ${data.rulebook_version?.slice(0, 12) ?? "none"})`} values={data.program} />
      <div className="flex flex-col gap-y-1">
        <Heading level="h2">Documentation</Heading>
        <Text size="small" className="text-ui-fg-subtle">Shipped with the plugin, in node_modules/medusa-plugin-loyalty-rules/:</Text>
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

function KeyValues({ title, values }: { title: string; values: Record<string, unknown> }) {
  return (
    <div className="flex flex-col gap-y-2">
      <Heading level="h2">{title}</Heading>
      <Table>
        <Table.Body>
          {Object.entries(values ?? {}).map(([k, v]) => (
            <Table.Row key={k}>
              <Table.Cell className="font-mono">{k}</Table.Cell>
              <Table.Cell className="font-mono">{typeof v === "object" ? JSON.stringify(v) : String(v)}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </div>
  )
}
