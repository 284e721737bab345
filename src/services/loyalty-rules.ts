import type { Logger } from "@medusajs/medusa"
import type { EntityManager } from "typeorm"
import { LoyaltyError, LoyaltyErrorCodes, isLoyaltyError } from "../domain/shared/errors"
import { parsePluginOptions, PluginOptions } from "../domain/shared/options"
import { compileRulebook, Rulebook } from "../domain/rules/rulebook"
import { LoyaltyRulebook } from "../models/loyalty-rulebook"
import { DEFAULT_RULES_DIR } from "../utils/plugin-paths"
import { formatIssues, loadRules, requireRulebook, RulebookState, rulesState } from "../utils/rulebook-store"

type InjectedDependencies = { logger: Logger; manager?: EntityManager }

/** A stored rulebook: its version and the exact file texts it was compiled from. */
export type StoredRulebook = { version: string; files: Array<{ name: string; text: string }>; loaded_at: Date | null }

// Rulebooks compiled from stored files, by version (services are per request scope; this outlives them).
const compiledByVersion = new Map<string, Rulebook>()
const COMPILED_CACHE_SIZE = 20

/**
 * The live rulebook for this store. Options are validated here (and by the plugin loader at boot); an invalid
 * option or rule file never throws at construction, because Medusa resolves this service on every request:
 * instead every call that needs rules throws a typed error saying what is wrong and where.
 */
export default class LoyaltyRulesService {
  protected readonly logger_: Logger
  protected readonly options_: PluginOptions | null
  protected readonly optionsError_: LoyaltyError | null
  protected readonly container_: InjectedDependencies

  constructor(container: InjectedDependencies, options: Record<string, unknown> = {}) {
    const { logger } = container
    this.container_ = container
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

  /**
   * The live rulebook, or null when none is loaded or the plugin options are invalid: for pages that only show a
   * tier and must not fail for that. Any other error still throws.
   */
  findRulebook(): Rulebook | null {
    try {
      return this.getRulebook()
    } catch (e) {
      if (isLoyaltyError(e) && (e.code === LoyaltyErrorCodes.RULES_UNAVAILABLE || e.code === LoyaltyErrorCodes.INVALID_OPTIONS)) return null
      throw e
    }
  }

  /**
   * The live program's expiry period in months, or null when points never expire or no rulebook is loaded yet
   * (a balance page answers without an expiry rather than failing). Other errors (invalid options) propagate.
   */
  liveExpiryMonths(): number | null {
    try {
      return this.getRulebook().program.expiry?.after_months ?? null
    } catch (e) {
      if (isLoyaltyError(e) && e.code === LoyaltyErrorCodes.RULES_UNAVAILABLE) return null
      throw e
    }
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

  /**
   * Stores the live rulebook's files under its version (INSERT … ON CONFLICT DO NOTHING: a version is written once,
   * when it first goes live). Called at boot and after every successful reload; does nothing without a live one.
   */
  async recordLive(manager: EntityManager = this.manager_()): Promise<string | null> {
    const state = this.state()
    if (!state.rulebook) return null
    await manager.query(
      `INSERT INTO "loyalty_rulebook" ("version", "files", "loaded_at") VALUES ($1, $2::jsonb, $3) ON CONFLICT ("version") DO NOTHING`,
      [state.rulebook.version, JSON.stringify(state.sources), state.loaded_at ?? new Date()]
    )
    return state.rulebook.version
  }

  /** The files of `version`: the live ones when it is live, else the stored ones; null when never stored. */
  async storedRulebook(version: string): Promise<StoredRulebook | null> {
    const state = this.state()
    if (state.rulebook?.version === version) {
      return { version, files: state.sources, loaded_at: state.loaded_at }
    }
    const row = await this.manager_().getRepository(LoyaltyRulebook).findOne({ where: { version } })
    return row ? { version: row.version, files: row.files, loaded_at: row.loaded_at } : null
  }

  /**
   * The rulebook of `version`: the live one when equal, else compiled from the stored files (cached by version).
   * Throws NOT_FOUND when the version was never stored, RULES_INVALID when its files no longer compile (e.g. after
   * an upgrade tightened the schema).
   */
  async byVersion(version: string): Promise<Rulebook> {
    const live = this.state().rulebook
    if (live?.version === version) return live
    const cached = compiledByVersion.get(version)
    if (cached) return cached
    const stored = await this.storedRulebook(version)
    if (!stored) {
      throw new LoyaltyError(LoyaltyErrorCodes.NOT_FOUND, `Rulebook version ${version} is not stored in this store`)
    }
    const result = compileRulebook(stored.files)
    if (!result.ok) {
      throw new LoyaltyError(LoyaltyErrorCodes.RULES_INVALID, `Stored rulebook ${version} no longer compiles:\n${formatIssues(result.issues)}`, { issues: result.issues })
    }
    if (compiledByVersion.size >= COMPILED_CACHE_SIZE) compiledByVersion.delete(compiledByVersion.keys().next().value as string)
    compiledByVersion.set(version, result.rulebook)
    return result.rulebook
  }

  private manager_(): EntityManager {
    const manager = this.container_.manager
    if (!manager) throw new LoyaltyError(LoyaltyErrorCodes.RULES_UNAVAILABLE, "no database manager to store rulebooks")
    return manager
  }
}
