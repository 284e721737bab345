import { z } from "zod"
import { LoyaltyError, LoyaltyErrorCodes } from "./errors"

/** Plugin options as a merchant writes them in medusa-config.js. Unknown keys are errors (typos must not pass). */
export const PluginOptionsSchema = z
  .object({
    rules_dir: z.string().min(1).optional(),
    auto_enroll: z.boolean().default(true),
    watch_rules: z.boolean().default(false),
    // Read by `medusa-admin build` (it bundles a plugin's admin extension only when this is true); the server
    // ignores it, but a strict schema must still accept it or a store that enables the UI cannot boot the plugin.
    enableUI: z.boolean().optional(),
  })
  .strict()

export type PluginOptions = { rules_dir: string; auto_enroll: boolean; watch_rules: boolean }

/**
 * Validates raw plugin options. `defaults.rules_dir` is the package's own `rules/` (passed in: the domain does
 * not know where it is installed). Throws INVALID_OPTIONS naming every bad option.
 */
export function parsePluginOptions(raw: unknown, defaults: { rules_dir: string }): PluginOptions {
  const parsed = PluginOptionsSchema.safeParse(raw ?? {})
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = i.path.length ? i.path.join(".") : (i as { keys?: string[] }).keys?.join(", ") ?? "(options)"
      return `${key}: ${i.message}`
    })
    throw new LoyaltyError(
      LoyaltyErrorCodes.INVALID_OPTIONS,
      `medusa-plugin-loyalty-rules: invalid plugin options in medusa-config.js — ${problems.join("; ")}`,
      { problems }
    )
  }
  return { rules_dir: parsed.data.rules_dir ?? defaults.rules_dir, auto_enroll: parsed.data.auto_enroll, watch_rules: parsed.data.watch_rules }
}
