/** loyalty_rulebook: the files of every rulebook version that was live, stored once (explain reads them back). */
import type { Knex } from "./knex"
import { newId } from "./knex"

export type StoredRulebook = { version: string; files: unknown; loaded_at: Date }

/** Stores a version the first time it is seen; a version already stored is never updated. */
export async function rememberRulebook(knex: Knex, rulebook: StoredRulebook): Promise<void> {
  await knex.raw(
    `INSERT INTO loyalty_rulebook (id, version, files, loaded_at) VALUES (?, ?, ?::jsonb, ?)
     ON CONFLICT (version) WHERE deleted_at IS NULL DO NOTHING`,
    [newId("lrb"), rulebook.version, JSON.stringify(rulebook.files), rulebook.loaded_at]
  )
}
