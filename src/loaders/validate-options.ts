import type { Logger } from "@medusajs/medusa"
import { parsePluginOptions } from "../domain/shared/options"
import type LoyaltyRulesService from "../services/loyalty-rules"
import { DEFAULT_RULES_DIR } from "../utils/plugin-paths"
import { formatIssues, loadRules } from "../utils/rulebook-store"

type Container = { resolve<T>(key: string): T }

/**
 * Runs at boot: validates the plugin options and loads the rulebook, logging every problem loudly. Medusa turns
 * loader errors into warnings, so the store still boots; every call that needs rules then throws a typed error.
 */
export default async function validateOptions(container: Container, options: Record<string, unknown>): Promise<void> {
  const logger: Logger = container.resolve("logger")
  const parsed = parsePluginOptions(options, { rules_dir: DEFAULT_RULES_DIR })
  const state = loadRules(parsed.rules_dir, new Date())
  if (state.error) {
    logger.error(`medusa-plugin-loyalty-rules: rules in ${parsed.rules_dir} are invalid, no points will be awarded:\n${formatIssues(state.error.issues)}`)
    return
  }
  logger.info(`medusa-plugin-loyalty-rules: rulebook ${state.rulebook!.version.slice(0, 12)} loaded from ${parsed.rules_dir}`)
  try {
    // Stored by version so entries stamped with it stay explainable after the files change.
    await container.resolve<LoyaltyRulesService>("loyaltyRulesService").recordLive()
  } catch (e) {
    logger.warn(`medusa-plugin-loyalty-rules: storing rulebook ${state.rulebook!.version.slice(0, 12)} failed: ${(e as Error).message}`)
  }
}
