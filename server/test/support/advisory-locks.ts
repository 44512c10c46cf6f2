import type { Pool } from '../../src/db.ts';
import { waitFor } from './poll.ts';

/**
 * Waits until some transaction of this database waits (not yet granted) for one of the payment
 * advisory locks named by `keys` (`tenantId:paymentId`, hashed as lock-payments.ts hashes them).
 */
export async function waitForAdvisoryWaiter(pool: Pool, keys: readonly string[], what: string) {
  await waitFor(
    async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database db ON db.oid = l.database
          WHERE l.locktype = 'advisory' AND NOT l.granted AND db.datname = current_database()
            AND ((l.classid::bigint << 32) | l.objid::bigint) = ANY(
              SELECT hashtextextended(k, 0) FROM unnest($1::text[]) k)`,
        [keys],
      );
      return rows[0]!.n > 0;
    },
    { what },
  );
}
