import type { Logger } from "@medusajs/medusa"
import { parsePluginOptions } from "../domain/shared/options"
import type LoyaltyRulesAdminService from "../services/loyalty-rules-admin"
import { DEFAULT_RULES_DIR } from "../utils/plugin-paths"
import { watchRulesDir } from "../utils/rules-watcher"

type Container = { resolve<T>(key: string): T }

/**
 * With `watch_rules: true`: every save in the rules directory reloads the rulebook exactly as
 * POST /admin/loyalty/rules/reload does (a broken file is refused, the previous version stays live, promotions are
 * reconciled on success). Each Medusa instance watches its own disk, so instances sharing the files all follow.
 */
export default async function watchRules(container: Container, options: Record<string, unknown>): Promise<void> {
  let parsed
  try {
    parsed = parsePluginOptions(options, { rules_dir: DEFAULT_RULES_DIR })
  } catch {
    return // validate-options has logged it
  }
  if (!parsed.watch_rules) return
  const logger: Logger = container.resolve("logger")
  try {
    watchRulesDir(parsed.rules_dir, () => container.resolve<LoyaltyRulesAdminService>("loyaltyRulesAdminService").reload(), logger)
    logger.info(`medusa-plugin-loyalty-rules: watching ${parsed.rules_dir} for rule changes`)
  } catch (e) {
    logger.warn(`medusa-plugin-loyalty-rules: cannot watch ${parsed.rules_dir} (${(e as Error).message}); use POST /admin/loyalty/rules/reload`)
  }
}
