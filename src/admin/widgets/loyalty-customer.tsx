import type { CustomerDetailsWidgetProps, WidgetConfig } from "@medusajs/admin"
import { Container, Heading, Text } from "@medusajs/ui"
import { Account, errorMessage, useLoyaltyQuery } from "../components/api"
import { AccountSummary, AdjustForm, EntriesTable, RedemptionsTable } from "../components/member"

/** The customer page's Loyalty card: the member's account, entries, codes and an adjustment form. */
const LoyaltyCustomerWidget = ({ customer, notify }: CustomerDetailsWidgetProps) => {
  const { data, isLoading, error } = useLoyaltyQuery<{ loyalty_account: Account }>(`/loyalty/accounts/${customer.id}`)
  return (
    <Container className="flex flex-col gap-y-6" data-testid="loyalty-widget">
      <Heading level="h1">Loyalty</Heading>
      {isLoading && <Text>Loading…</Text>}
      {error && <Text className="text-ui-fg-error">{errorMessage(error)}</Text>}
      {data && <AccountSummary account={data.loyalty_account} />}
      {data && <AdjustForm key={customer.id} customerId={customer.id} onDone={(m) => notify.success("Loyalty", m)} />}
      {data && <EntriesTable customerId={customer.id} />}
      {data && <RedemptionsTable customerId={customer.id} />}
    </Container>
  )
}

export const config: WidgetConfig = { zone: "customer.details.after" }

export default LoyaltyCustomerWidget
