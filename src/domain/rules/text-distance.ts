/** "Did you mean" suggestions for misspelled names in rule files. */

/** Levenshtein edit distance (insert, delete, substitute each cost 1). Invariant: symmetric, 0 iff equal. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution)
    }
    previous = current
  }
  return previous[b.length]
}

/**
 * The closest candidate to `input`, or undefined when nothing is close enough to be a plausible typo
 * (distance ≤ max(2, a third of the longer name)); case differences count as close. Ties go to the earlier candidate.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = input.toLowerCase() === candidate.toLowerCase() ? 0.5 : editDistance(input, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best === undefined) return undefined
  const limit = Math.max(2, Math.floor(Math.max(input.length, best.length) / 3))
  return bestDistance <= limit ? best : undefined
}
