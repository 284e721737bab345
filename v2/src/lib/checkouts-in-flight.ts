/**
 * The cart completions this process is answering right now (POST /store/carts/:id/complete). Medusa 2 emits
 * order.placed inside the completion, before the route has read the order for its answer, and the in-process event
 * bus starts the subscribers at once: their reads and writes then share the event loop with that answer, and the
 * shopper waits for loyalty bookkeeping that could as well run a moment later. The plugin's order.placed subscribers
 * therefore first let the completions in flight at that moment answer (afterCompletionsInFlight), for at most
 * MAX_WAIT_MS. A process that answers no HTTP (a worker) has none in flight and never waits.
 */
import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

/** The longest an order.placed subscriber waits for completions to answer: a stuck request never holds points back. */
export const MAX_WAIT_MS = 2_000

const inFlight = new Set<Promise<void>>()

/** Middleware of POST /store/carts/:id/complete: the completion counts as in flight until its answer is sent or the connection closes. */
export function trackCompletion(_req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction): void {
  let settle!: () => void
  const answered = new Promise<void>((resolve) => (settle = resolve))
  inFlight.add(answered)
  const done = () => {
    inFlight.delete(answered)
    settle()
  }
  res.once("finish", done)
  res.once("close", done)
  next()
}

/**
 * Resolves once every completion in flight when it was called has answered, or after `max_ms`; at once when none is.
 * Completions that start meanwhile are not waited for, so a stream of checkouts delays a subscriber by `max_ms` at most.
 */
export async function afterCompletionsInFlight(max_ms: number = MAX_WAIT_MS): Promise<void> {
  if (inFlight.size === 0) return
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, max_ms)
    timer.unref?.()
  })
  await Promise.race([Promise.all([...inFlight]), timeout])
  clearTimeout(timer)
}

/** How many completions are in flight (tests). */
export const completionsInFlight = (): number => inFlight.size
