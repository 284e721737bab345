import { ContainerRegistrationKeys } from "@medusajs/framework/utils"

type Resolver = { resolve<T = any>(key: string): T }

/**
 * Runs one scheduled loyalty job and logs its counts. `LOYALTY_SCHEDULED_JOBS=off` turns the schedules off (one
 * instance of several runs them, or cron drives the `medusa exec` script instead); the admin routes and the script
 * still work. A failing run is logged, never thrown into the scheduler.
 */
export async function runScheduled(container: Resolver, name: string, run: () => Promise<unknown>): Promise<void> {
  if (process.env.LOYALTY_SCHEDULED_JOBS === "off") return
  const logger = container.resolve<{ info(m: string): void; error(m: string): void }>(ContainerRegistrationKeys.LOGGER)
  try {
    logger.info(`loyalty ${name}: ${JSON.stringify(await run())}`)
  } catch (e) {
    logger.error(`loyalty ${name} failed: ${(e as Error).message}`)
  }
}
