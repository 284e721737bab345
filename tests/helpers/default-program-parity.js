// The default-program parity table (tests/fixtures/default-program-orders.json) as both adapters' suites read it:
// tests/integration/default-program-parity.test.ts (Medusa v1) and v2/integration-tests/http/loyalty.spec.ts (v2).
const fs = require("fs")
const path = require("path")

/**
 * @typedef {{ name: string, items: Array<{ price: number, quantity: number }>, points: number, rule_names: string[],
 *   total_minor: number, tier_before: string, tier_after: string }} ParityOrder
 * @returns {{ description: string, shipping: number, orders: ParityOrder[] }}
 */
function parityTable() {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "default-program-orders.json"), "utf8"))
}

/**
 * One order's accrual as an adapter stored it, next to what the table says: `expect(actual).toEqual(expected)`.
 * @param {ParityOrder} order
 * @param {{ points: number, rule_names: string[], balance_after: number, details: any }} entry the accrual entry row
 * @param {string} tier_after the member's tier code once the accrual is posted (GET /store/customers/me/loyalty)
 * @param {number} balance the table's running balance through this order
 */
function parityRow(order, entry, tier_after, balance) {
  return {
    actual: {
      name: order.name,
      points: entry.points,
      rule_names: entry.rule_names,
      total: entry.details.order_total_minor,
      tier_before: entry.details.facts.customer.tier,
      balance: entry.balance_after,
      tier_after,
    },
    expected: {
      name: order.name,
      points: order.points,
      rule_names: order.rule_names,
      total: order.total_minor,
      tier_before: order.tier_before,
      balance,
      tier_after: order.tier_after,
    },
  }
}

module.exports = { parityTable, parityRow }
