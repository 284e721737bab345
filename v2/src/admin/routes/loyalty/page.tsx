import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Sparkles } from "@medusajs/icons"
import { Heading, Text } from "@medusajs/ui"
import { Link } from "react-router-dom"
import { Activity, Jobs, Members, Promotions, Tiers } from "../../components/overview"

/** The Loyalty page (sidebar): activity charts, members, tiers, member promotions and the jobs. */
const LoyaltyPage = () => {
  return (
    <div className="flex flex-col gap-y-3" data-testid="loyalty-page">
      <div className="flex items-center justify-between px-1">
        <Heading level="h1">Loyalty</Heading>
        <div className="flex gap-x-4">
          <Link className="text-ui-fg-interactive" to="/loyalty/rules">Rules</Link>
          <Link className="text-ui-fg-interactive" to="/settings/loyalty">Settings</Link>
        </div>
      </div>
      <Text className="text-ui-fg-subtle px-1">Points, tiers and member promotions from the store's rule files.</Text>
      <Activity />
      <Members />
      <Tiers />
      <Promotions />
      <Jobs />
    </div>
  )
}

export const config = defineRouteConfig({ label: "Loyalty", icon: Sparkles })

export default LoyaltyPage
