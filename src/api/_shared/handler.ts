import type { MedusaRequest, MedusaResponse } from "@medusajs/medusa"
import { toMedusaError } from "./errors"

type Handler = (req: MedusaRequest, res: MedusaResponse) => Promise<void>

/** Wraps a route so domain errors reach Medusa's error handler as the MedusaError the table says. */
export function route(handler: Handler): Handler {
  return async (req, res) => {
    try {
      await handler(req, res)
    } catch (e) {
      throw toMedusaError(e)
    }
  }
}
