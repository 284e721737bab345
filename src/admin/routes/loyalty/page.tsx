import type { RouteConfig } from "@medusajs/admin"
import { Sparkles } from "@medusajs/icons"
import { Heading, Text } from "@medusajs/ui"
import { adminHref } from "../../components/api"
import { Activity, Jobs, Members, Promotions, Tiers } from "../../components/overview"

/** The Loyalty page (sidebar): activity charts, members, tiers, member promotions and the jobs. */
const LoyaltyPage = () => {
  return (
    <div className="flex flex-col gap-y-4">
      <div className="flex items-center justify-between">
        <Heading level="h1">Loyalty</Heading>
        <div className="flex gap-x-4">
          <a className="text-ui-fg-interactive" href={adminHref("loyalty/rules")}>Rules</a>
          <a className="text-ui-fg-interactive" href={adminHref("settings/loyalty")}>Settings</a>
        </div>
      </div>
      <Text className="text-ui-fg-subtle">Points, tiers and member promotions from the store's rule files.</Text>
      <Activity />
      <Members />
      <Tiers />
      <Promotions />
      <Jobs />
    </div>
  )
}

export const config: RouteConfig = { link: { label: "Loyalty", icon: Sparkles } }

export default LoyaltyPage
