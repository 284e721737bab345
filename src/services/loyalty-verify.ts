import { TransactionBaseService } from "@medusajs/medusa"
import { EntityManager } from "typeorm"
import { VerifyReport } from "../domain/ledger/verify"
import { verifyLedger } from "../utils/ledger-verify"

type InjectedDependencies = { manager: EntityManager }

/**
 * Ledger integrity: balance = Σ points (and pending, lifetime), the balance_after chain, unique idempotency keys.
 * Read-only; the same check the CLI runs (`medusa-loyalty verify --database-url …`) without booting Medusa.
 */
export default class LoyaltyVerifyService extends TransactionBaseService {
  constructor(container: InjectedDependencies) {
    super(container)
  }

  /** One REPEATABLE READ snapshot, so concurrent postings cannot show up as drift between two reads. */
  async verify(): Promise<VerifyReport> {
    const check = (m: EntityManager) => verifyLedger((sql, params) => m.query(sql, params))
    if (this.transactionManager_) {
      return await check(this.transactionManager_)
    }
    return await this.manager_.transaction("REPEATABLE READ", check)
  }
}
