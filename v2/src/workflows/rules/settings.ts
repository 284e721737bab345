/** What the settings page and the rules editor read: the options, the live program and the live rule files. */
import fs from "fs"
import path from "path"
import { docsIndex, liveRuleFilesView, settingsView, type SettingsView } from "../../core/domain/http/reports"
import { liveRulebookOrNull, loyaltyOf, type Resolver } from "../../lib/container"
import { defaultRulesDir } from "../../lib/rules"

/** The plugin options as parsed (none is a secret), the live program and version (null when none is live), the docs. */
export function loyaltySettings(scope: Resolver): SettingsView {
  return settingsView(loyaltyOf(scope).pluginOptions, liveRulebookOrNull(scope), packageDocs())
}

/** The live rulebook's files as text (what the store runs, not what is on disk now); no files when none is live. */
export function liveRuleFiles(scope: Resolver) {
  return liveRuleFilesView(loyaltyOf(scope).rulesState())
}

/** This installed package's docs by name (the core's docsIndex), paths relative to the package root. */
function packageDocs(): Record<string, string> {
  // The default rules directory is the package root's rules/ (found from the package's own package.json).
  const root = path.dirname(defaultRulesDir())
  const dir = path.join(root, "docs")
  return docsIndex({
    readme: fs.existsSync(path.join(root, "README.md")),
    rules_readme: fs.existsSync(path.join(root, "rules", "README.md")),
    docs: fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name) : [],
  })
}
