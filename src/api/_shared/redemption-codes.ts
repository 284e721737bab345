import { authenticateCustomer, type MedusaNextFunction, type MedusaRequest, type MedusaResponse } from "@medusajs/medusa"
import type LoyaltyCheckoutService from "../../services/loyalty-checkout"
import { toMedusaError } from "./errors"

/** Medusa's optional customer authentication (its store router runs it later, after this core-route middleware). */
const identify = authenticateCustomer()

/** The discount codes a `POST /store/carts/:id` body applies (Medusa: `discounts: [{ code }]`). */
function codesOf(body: unknown): string[] {
  const discounts = (body as { discounts?: unknown } | null)?.discounts
  if (!Array.isArray(discounts)) return []
  return discounts.map((d) => (d as { code?: unknown } | null)?.code).filter((c): c is string => typeof c === "string")
}

/**
 * Refuses, before Medusa applies it, a loyalty redemption code that is not the requester's own (another customer's,
 * or any member's code on a guest cart) or that is already used or expired: the same 400 and code the checkout
 * would give later. Advisory: the claim at completion is what guarantees single use. Other codes pass through.
 */
export async function refuseUnusableRedemptionCodes(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction): Promise<void> {
  try {
    const codes = codesOf(req.body)
    if (!codes.length) return next() // most cart updates: no session lookup, no query
    await new Promise<void>((resolve, reject) => identify(req, res, (e?: unknown) => (e ? reject(e) : resolve())))
    const customer_id = await requesterOf(req)
    const checkout = req.scope.resolve<LoyaltyCheckoutService>("loyaltyCheckoutService")
    for (const code of codes) {
      const refusal = await checkout.checkCode(code, customer_id)
      if (refusal) return next(toMedusaError(refusal))
    }
    next()
  } catch (e) {
    next(e)
  }
}

/**
 * Whose cart it will be after Medusa's update: the signed-in customer (Medusa sets it on the cart); otherwise a guest
 * giving an email becomes a guest customer (never a member); otherwise the cart's current customer.
 */
async function requesterOf(req: MedusaRequest): Promise<string | null> {
  const signedIn = (req.user as { customer_id?: string } | undefined)?.customer_id
  if (signedIn) return signedIn
  if (typeof (req.body as { email?: unknown })?.email === "string") return null
  const rows = await req.scope.resolve<{ query(sql: string, p: unknown[]): Promise<any[]> }>("manager").query(
    `SELECT customer_id FROM cart WHERE id = $1`,
    [req.params.id]
  )
  return rows[0]?.customer_id ?? null
}
