import type { Logger, MedusaContainer } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"

/**
 * Runs one unit of work for an event in its own transaction, on a transaction-bound clone of the service:
 * Medusa resolves subscriber services from the root container, so concurrent handlers would otherwise share one
 * instance (and its transaction). Errors are logged with the event and rethrown (the Redis bus retries; the local
 * bus drops them, and the reconcile sweep picks the order up).
 */
export async function runForEvent<S extends { withTransaction(m: EntityManager): S }>(
  container: MedusaContainer,
  serviceName: string,
  what: string,
  work: (service: S) => Promise<unknown>
): Promise<void> {
  const manager: EntityManager = container.resolve("manager")
  const service: S = container.resolve(serviceName)
  try {
    await manager.transaction((m) => work(service.withTransaction(m)))
  } catch (e) {
    container.resolve<Logger>("logger").error(`loyalty: ${what} failed: ${(e as Error).message}`)
    throw e
  }
}
