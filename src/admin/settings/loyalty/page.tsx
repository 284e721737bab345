import type { SettingConfig } from "@medusajs/admin"
import { Sparkles } from "@medusajs/icons"
import { Container, Heading, Text } from "@medusajs/ui"
import { SettingsView } from "../../components/settings"

/** Settings → Loyalty: the plugin options and program settings the store runs with (read-only). */
const LoyaltySettingsPage = () => {
  return (
    <Container className="flex flex-col gap-y-4">
      <Heading level="h1">Loyalty settings</Heading>
      <Text className="text-ui-fg-subtle">
        Read-only: options live in medusa-config.js, program settings in the rules directory's program.json.
      </Text>
      <SettingsView />
    </Container>
  )
}

export const config: SettingConfig = {
  card: { label: "Loyalty", description: "Plugin options and program settings", icon: Sparkles },
}

export default LoyaltySettingsPage
