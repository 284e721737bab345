import type { RowQuery } from "./ledger-verify"

/** Which Medusa's tables a store database holds: the CLI's verify and backtest read either (same loyalty tables). */
export type MedusaSchema = "v1" | "v2"

/**
 * The Medusa major of a store database, from its tables: v2's order module has order_line_item (v1: line_item).
 * `requested` ("1" / "2", the --medusa-version flag) wins over detection.
 */
export async function medusaSchemaOf(query: RowQuery, requested?: string): Promise<MedusaSchema> {
  if (requested === "1") return "v1"
  if (requested === "2") return "v2"
  const [row] = await query(`SELECT to_regclass('public.order_line_item') IS NOT NULL AS v2`)
  return row?.v2 ? "v2" : "v1"
}
