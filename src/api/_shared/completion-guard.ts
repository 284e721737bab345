import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { guardCompletionStrategy, type Resolver } from "../../checkout/redemption-guard"

/**
 * Before Medusa's cart completion route: makes sure the store's completion strategy claims loyalty codes in the
 * order's transaction (installed once, on the first completion, when every plugin and the store have registered).
 */
export function guardCartCompletion(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction): void {
  try {
    const strategy = req.scope.resolve<Parameters<typeof guardCompletionStrategy>[0]>("cartCompletionStrategy")
    guardCompletionStrategy(strategy, applicationResolver(strategy, req))
    next()
  } catch (e) {
    next(e)
  }
}

/**
 * The guard outlives this request, so it resolves from the container the strategy was built with (Medusa's
 * TransactionBaseService keeps it as `__container__`), falling back to the request's scope.
 */
function applicationResolver(strategy: object, req: MedusaRequest): Resolver {
  const cradle = (strategy as { __container__?: Record<string, unknown> }).__container__
  if (cradle) return { resolve: <T>(name: string) => cradle[name] as T }
  return req.scope as unknown as Resolver
}
