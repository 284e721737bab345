import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminCustomer, DetailWidgetProps } from "@medusajs/framework/types"
import { Container, Heading, Text } from "@medusajs/ui"
import { useEffect, useState } from "react"

type Account = { points_balance: number; points_lifetime: number; points_pending: number; tier: { name: string } | null }

/** The customer's loyalty account on the admin customer page (GET /admin/loyalty/accounts/:customer_id). */
const CustomerLoyaltyWidget = ({ data }: DetailWidgetProps<AdminCustomer>) => {
  const [account, setAccount] = useState<Account | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    fetch(`/admin/loyalty/accounts/${data.id}`, { credentials: "include" })
      .then(async (r) => (r.ok ? setAccount((await r.json()).loyalty_account) : setError(`${r.status}`)))
      .catch((e) => setError(String(e)))
  }, [data.id])
  return (
    <Container className="divide-y p-0">
      <div className="px-6 py-4">
        <Heading level="h2">Loyalty</Heading>
        {error && <Text size="small">Could not load the loyalty account ({error})</Text>}
        {account && (
          <Text size="small">
            {account.points_balance} points · lifetime {account.points_lifetime} · pending {account.points_pending}
            {account.tier ? ` · ${account.tier.name}` : ""}
          </Text>
        )}
      </div>
    </Container>
  )
}

export const config = defineWidgetConfig({ zone: "customer.details.after" })

export default CustomerLoyaltyWidget
