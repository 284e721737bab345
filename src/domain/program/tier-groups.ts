/**
 * Tier groups: each tier of the ladder is mirrored by a customer group, and a member belongs to their tier's group
 * only. What to change is decided here for both adapters; they read the groups and apply the moves.
 */

/** The group moves that put a member in `target` and out of the ladder's other groups. */
export interface TierGroupMoves {
  added: string[]
  removed: string[]
  /** The member's group ids once the moves are applied. */
  after: string[]
}

/**
 * Decides a member's tier group moves: into the target group (their tier's, null when they have no tier), out of
 * every other group of the ladder. Invariant: groups that are not the ladder's are never added nor removed; applying
 * the moves twice changes nothing the second time.
 */
export function tierGroupMoves(a: { current: readonly string[]; ladder_group_ids: Iterable<string>; target: string | null }): TierGroupMoves {
  const current = new Set(a.current)
  const removed = [...new Set(a.ladder_group_ids)].filter((id) => id !== a.target && current.has(id))
  const added = a.target !== null && !current.has(a.target) ? [a.target] : []
  const after = [...a.current.filter((id) => !removed.includes(id)), ...added]
  return { added, removed, after }
}
