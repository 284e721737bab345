import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Container, Heading, Text } from "@medusajs/ui"
import { SettingsView } from "../../../components/settings"

/** Settings → Loyalty: the plugin options and program settings the store runs with (read-only). */
const LoyaltySettingsPage = () => {
  return (
    <Container className="flex flex-col gap-y-4" data-testid="loyalty-settings-page">
      <Heading level="h1">Loyalty settings</Heading>
      <Text className="text-ui-fg-subtle">
        Read-only: options live in medusa-config.ts, program settings in the rules directory's program.json.
      </Text>
      <SettingsView />
    </Container>
  )
}

export const config = defineRouteConfig({ label: "Loyalty" })

export default LoyaltySettingsPage
