import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Heading, Text } from "@medusajs/ui"
import { CandidateEditor, LiveRules } from "../../../components/rules"

/** Rules: the live rulebook, and candidate files to validate, simulate and backtest before they go to disk. */
const LoyaltyRulesPage = () => {
  return (
    <div className="flex flex-col gap-y-3" data-testid="loyalty-rules-page">
      <Heading level="h1">Loyalty rules</Heading>
      <Text className="text-ui-fg-subtle">
        Nothing here changes the live rules: edit the files in the store's rules directory, then reload.
      </Text>
      <LiveRules />
      <CandidateEditor />
    </div>
  )
}

// A sub-item of Loyalty in the sidebar.
export const config = defineRouteConfig({ label: "Rules" })

export default LoyaltyRulesPage
