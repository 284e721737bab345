import type { SubscriberArgs, SubscriberConfig } from "@medusajs/medusa"
import type LoyaltyActivationService from "../services/loyalty-activation"
import { runForEvent } from "../utils/subscriber-run"

/**
 * order.payment_captured → the order's pending points become spendable when the capture was what they waited for
 * (spendable_on "captured"; with pending_days as well, the activation job activates them once that is over too).
 */
export default async function orderPaymentCapturedActivate({ data, container }: SubscriberArgs<{ id: string }>): Promise<void> {
  await runForEvent<LoyaltyActivationService>(container, "loyaltyActivationService", `activation for captured order ${data.id}`, (s) =>
    s.activateOrder(data.id, new Date())
  )
}

export const config: SubscriberConfig = {
  event: "order.payment_captured",
  context: { subscriberId: "loyalty-order-payment-captured-activate" },
}
