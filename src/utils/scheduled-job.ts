/** What the periodic jobs need from a container: Medusa's awilix container. */
type Resolver = { resolve<T = unknown>(name: string): T }

type JobLogger = { info(message: string): void; warn(message: string): void; error(message: string): void }

/**
 * The body of every scheduled job: runs `work`, logs its summary (as a warning when `work` says so), and logs then
 * rethrows a failure so Medusa's job queue records it. One place for the jobs' logging shape.
 */
export async function runScheduled(
  container: Resolver,
  name: string,
  work: (logger: JobLogger) => Promise<{ summary: unknown; warn?: boolean }>
): Promise<void> {
  const logger = container.resolve<JobLogger>("logger")
  try {
    const { summary, warn } = await work(logger)
    ;(warn ? logger.warn : logger.info).call(logger, `loyalty: ${name} job: ${JSON.stringify(summary)}`)
  } catch (e) {
    logger.error(`loyalty: ${name} job failed: ${(e as Error).message}`)
    throw e
  }
}
