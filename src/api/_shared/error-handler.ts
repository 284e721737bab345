import { errorHandler, type MedusaNextFunction, type MedusaRequest, type MedusaResponse } from "@medusajs/medusa"
import { ERROR_TYPE_BY_CODE } from "../../domain/http/views"
import { toMedusaError } from "./errors"

type ErrorHandler = (err: unknown, req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) => void
type HttpError = { type?: unknown; status?: unknown; expose?: unknown; message?: unknown; length?: unknown; limit?: unknown }
type Answer = { status: number; code: string; message: string; type?: string }

/**
 * The error middleware of the plugin's router (src/api/middlewares.ts `errorHandler`). Medusa's own handler answers
 * 500 "An unknown error occurred" for anything that is not a MedusaError, which includes the request errors raised
 * before a handler runs: body-parser's malformed JSON and too-large body, and express's URIError for a malformed
 * %-escape in the path. Those get a 4xx here, and so does a domain error whose code Medusa's handler would drop
 * (codeKeptAnswer); everything else goes on to Medusa's handler (domain errors through the one code table), which
 * never shows a stack or a driver message for an unexpected error.
 */
export function loyaltyErrorHandler(): ErrorHandler {
  const medusa = errorHandler() as unknown as ErrorHandler
  return (err, req, res, next) => {
    const answer = requestError(err as HttpError) ?? codeKeptAnswer(err)
    if (!answer || res.headersSent) {
      medusa(toMedusaError(err), req, res, next)
      return
    }
    res.status(answer.status).json({ type: answer.type ?? "invalid_data", code: answer.code, message: answer.message })
  }
}

/** The 4xx answer to an error about the request itself, or null when it is not one. */
function requestError(err: HttpError): Answer | null {
  if (err instanceof URIError) {
    return { status: 400, code: "INVALID_INPUT", message: "Invalid request: path: malformed %-escape (a % must be followed by two hex digits of valid UTF-8)" }
  }
  switch (err?.type) {
    case "entity.too.large":
      return { status: 413, code: "PAYLOAD_TOO_LARGE", message: tooLarge(err) }
    case "entity.parse.failed":
      return { status: 400, code: "INVALID_INPUT", message: "Invalid request: body: not a JSON object (malformed JSON, or a bare JSON string or number)" }
  }
  // body-parser's other refusals (unsupported charset or encoding, aborted request): fixed, exposable messages.
  const status = typeof err?.status === "number" ? err.status : 0
  if (status >= 400 && status < 500 && err.expose === true && typeof err.message === "string") {
    return { status, code: "INVALID_INPUT", message: `Invalid request: ${err.message}` }
  }
  return null
}

/**
 * A domain error Medusa's handler would answer without its code: Medusa v1 replaces the code of every
 * duplicate_error with "invalid_request_error", so a client could not tell IDEMPOTENCY_CONFLICT (a retry with
 * another payload) from any other 422. Answered here with the same status and type, the code kept (as on Medusa v2).
 */
function codeKeptAnswer(err: unknown): Answer | null {
  const e = toMedusaError(err) as { type?: unknown; code?: unknown; message?: unknown }
  if (e?.type !== "duplicate_error" || typeof e.code !== "string" || !(e.code in ERROR_TYPE_BY_CODE)) return null
  return { status: 422, type: "duplicate_error", code: e.code, message: String(e.message) }
}

function tooLarge(err: HttpError): string {
  const size = typeof err.length === "number" ? `${err.length} bytes` : "larger than allowed"
  return `Request body too large: ${size}; this route accepts at most ${err.limit} bytes`
}
