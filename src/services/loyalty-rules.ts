import type { Logger } from "@medusajs/medusa"
import { LoyaltyError, isLoyaltyError } from "../domain/errors"
import { parsePluginOptions, PluginOptions } from "../domain/options"
import { Rulebook } from "../domain/rulebook"
import { DEFAULT_RULES_DIR } from "../utils/plugin-paths"
import { formatIssues, loadRules, requireRulebook, RulebookState, rulesState } from "../utils/rulebook-store"

type InjectedDependencies = { logger: Logger }

/**
 * The live rulebook for this store. Options are validated here (and by the plugin loader at boot); an invalid
 * option or rule file never throws at construction, because Medusa resolves this service on every request:
 * instead every call that needs rules throws a typed error saying what is wrong and where.
 */
export default class LoyaltyRulesService {
  protected readonly logger_: Logger
  protected readonly options_: PluginOptions | null
  protected readonly optionsError_: LoyaltyError | null

  constructor({ logger }: InjectedDependencies, options: Record<string, unknown> = {}) {
    this.logger_ = logger
    let parsed: PluginOptions | null = null
    let error: LoyaltyError | null = null
    try {
      parsed = parsePluginOptions(options, { rules_dir: DEFAULT_RULES_DIR })
    } catch (e) {
      if (!isLoyaltyError(e)) throw e
      error = e
    }
    this.options_ = parsed
    this.optionsError_ = error
  }

  /** Validated plugin options; throws INVALID_OPTIONS when medusa-config.js holds a bad one. */
  get options(): PluginOptions {
    if (!this.options_) {
      throw this.optionsError_!
    }
    return this.options_
  }

  /** The live rulebook; throws RULES_UNAVAILABLE (with every issue located) when none could be loaded. */
  getRulebook(): Rulebook {
    return requireRulebook(this.state())
  }

  /** Live version, load time, files and the last load error, for the admin API and logs. */
  state(): RulebookState {
    return rulesState(this.options.rules_dir, new Date())
  }

  /** Re-reads the rules directory; on any error the previous rulebook stays live and the error is logged. */
  reload(): RulebookState {
    const state = loadRules(this.options.rules_dir, new Date())
    if (state.error) {
      this.logger_.error(
        `medusa-plugin-loyalty-rules: rules in ${state.rules_dir} are invalid; ` +
          `${state.rulebook ? `keeping version ${state.rulebook.version.slice(0, 12)}` : "no rulebook is live, no points will be awarded"}:\n` +
          formatIssues(state.error.issues)
      )
    }
    return state
  }
}
