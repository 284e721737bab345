/**
 * The hostile-input guard both adapters put in front of every plugin route (v1: src/api/middlewares.ts, v2:
 * v2/src/api/middlewares.ts), so no handler meets input PostgreSQL or the schemas would choke on: NUL characters
 * anywhere (PostgreSQL text and jsonb refuse U+0000: a 500 after the request was half processed), repeated or
 * bracketed query parameters (`limit=1&limit=2`, `limit[]=1`, `a[b]=1`: every plugin parameter is one plain value),
 * and a body that is not a JSON object. Pure: the adapters hand over the request's parts and answer the refusal.
 */
import { LoyaltyError, LoyaltyErrorCodes } from "../shared/errors"

/** Deeper JSON than any plugin body needs; refused before anything walks it (a deep walk would overflow the stack). */
export const MAX_BODY_DEPTH = 32

/** What the guard reads of a request: the URL as sent (path still %-encoded), headers, the parsed query and body. */
export type GuardedRequest = {
  url: string
  headers: Record<string, string | string[] | undefined>
  query: Record<string, unknown> | undefined
  body: unknown
}

/**
 * The first problem of a request's input, or null when it may reach a handler. Invariant: a request this passes has
 * no U+0000 in its path, headers, query keys and values, or body keys and strings; each query parameter is one
 * string; the body is absent or a JSON object nested at most MAX_BODY_DEPTH levels.
 */
export function requestInputProblem(req: GuardedRequest): string | null {
  return pathProblem(req.url) ?? headerProblem(req.headers) ?? queryProblem(req.query) ?? bodyProblem(req.body)
}

/** The refusal of a request `requestInputProblem` found a problem in: INVALID_INPUT (400) naming the field. */
export function invalidRequestInput(problem: string): LoyaltyError {
  return new LoyaltyError(LoyaltyErrorCodes.INVALID_INPUT, `Invalid request: ${problem}`, { problems: [problem] })
}

const NUL = "\u0000"
const noNul = (where: string) => `${where}: must not contain NUL characters (\\u0000)`

function pathProblem(url: string): string | null {
  const path = url.split("?")[0]
  try {
    return decodeURIComponent(path).includes(NUL) ? noNul("path") : null
  } catch {
    return "path: malformed %-escape (a % must be followed by two hex digits of valid UTF-8)"
  }
}

function headerProblem(headers: Record<string, string | string[] | undefined>): string | null {
  // Node's HTTP parser already refuses a raw NUL in a header; this covers whatever an upstream proxy might let by.
  const bad = Object.entries(headers).find(([, v]) => [v ?? ""].flat().some((s) => s.includes(NUL)))
  return bad ? noNul(`headers.${bad[0]}`) : null
}

function queryProblem(query: Record<string, unknown> | undefined): string | null {
  for (const [key, value] of Object.entries(query ?? {})) {
    if (key.includes(NUL)) return noNul("query")
    if (typeof value !== "string") return `query.${key}: give it once, as one plain value (not repeated, not key[] or key[x])`
    if (value.includes(NUL)) return noNul(`query.${key}`)
  }
  return null
}

/** Any method: a body no route reads (a GET's) must still be harmless, and the parsers leave `{}` when there is none. */
function bodyProblem(body: unknown): string | null {
  if (body === undefined) return null
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "body: expected a JSON object"
  return nestedProblem(body)
}

/** The first NUL or over-deep nesting in a parsed body, walked iteratively (no recursion on client-chosen depth). */
function nestedProblem(body: object): string | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: "body", depth: 0 }]
  while (stack.length) {
    const { value, path, depth } = stack.pop()!
    if (typeof value === "string") {
      if (value.includes(NUL)) return noNul(path)
      continue
    }
    if (typeof value !== "object" || value === null) continue
    if (depth >= MAX_BODY_DEPTH) return `${path}: nested deeper than ${MAX_BODY_DEPTH} levels`
    for (const [key, child] of Object.entries(value)) {
      if (key.includes(NUL)) return noNul(`${path} (a key)`)
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 })
    }
  }
  return null
}
