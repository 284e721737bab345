/**
 * The suite's store: an admin user created in the app's container, then the shared HTTP setup
 * (scripts/lib/store-http.js, also used by the root's `npm run demo -- --v2`).
 */
import { createUserAccountWorkflow } from "@medusajs/medusa/core-flows"
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { waitFor: waitForValue, setUpStore, adminHeaders } = require("../../scripts/lib/store-http")

type Api = { get: Function; post: Function; delete: Function }

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  return await waitForValue(what, probe, timeoutMs)
}

export async function createStore(api: Api, container: any, prices: number[] = [100, 19.99, 0.99]) {
  const email = "admin@loyalty.test"
  const reg = await api.post("/auth/user/emailpass/register", { email, password: "pw" })
  const authIdentityId = JSON.parse(Buffer.from(reg.data.token.split(".")[1], "base64url").toString()).auth_identity_id
  await createUserAccountWorkflow(container).run({ input: { authIdentityId, userData: { email } } })
  // Products exist before the runner's per-test database snapshot (taken after beforeAll): every test can buy them.
  return await setUpStore(api, await adminHeaders(api, email, "pw"), prices) as {
    admin: { headers: Record<string, string> }
    pk: Record<string, string>
    region: { id: string }
    sc: string
    registerCustomer(email: string): Promise<{ id: string; email: string; token: string; headers: Record<string, string> }>
    placeOrder(customer: { headers: Record<string, string> }, items: Array<{ price: number; quantity: number }>): Promise<{ id: string; total: number }>
    paymentOf(order_id: string): Promise<string>
    variantAt(price: number): Promise<string>
  }
}
