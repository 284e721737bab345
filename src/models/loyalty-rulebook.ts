import { Column, Entity, PrimaryColumn } from "typeorm"

/**
 * A rulebook that has been live in this store, stored by content version the first time it went live (never
 * updated): `files` are the exact texts it was compiled from, so any ledger entry's `rulebook_version` can be
 * recompiled and explained after the rule files changed.
 */
@Entity("loyalty_rulebook")
export class LoyaltyRulebook {
  /** sha256 of the canonical JSON of the files (see compileRulebook). */
  @PrimaryColumn({ type: "text" })
  version!: string

  /** `[{ name, text }]`, sorted by name. */
  @Column({ type: "jsonb" })
  files!: Array<{ name: string; text: string }>

  /** When this version first went live. */
  @Column({ type: "timestamptz" })
  loaded_at!: Date
}
