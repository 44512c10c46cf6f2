// Folds the analytics aggregates' appended contributions into one row per key. Triggers on
// disputes, charges and balance transactions append signed rows (compacted = false) as every
// statement writes (migration 20261201051000_analytics_aggregates); reads sum a tenant's rows,
// whatever their state, so compaction changes no figure — it keeps the tables, and so the reads,
// small. One transaction per pass, one compactor at a time (advisory lock): appended rows are
// moved and added to their key's row, rows that sum to nothing are removed.
import { withTransaction, type Pool } from '../db.ts';

interface Aggregate {
  table: string;
  keys: readonly string[];
  sums: readonly string[];
}

export const AGGREGATES: readonly Aggregate[] = [
  {
    table: 'agg_dispute_days',
    keys: [
      'tenant_id',
      'day',
      'currency',
      'status',
      'reason',
      'network_reason_code',
      'card_brand',
      'case_type',
      'amount_band',
      'retrieval',
    ],
    sums: ['n', 'amount'],
  },
  {
    table: 'agg_sales_months',
    keys: ['tenant_id', 'month', 'card_brand', 'currency'],
    sums: ['n', 'amount'],
  },
  {
    table: 'agg_ledger_days',
    keys: ['tenant_id', 'day', 'currency', 'category'],
    sums: ['amount', 'fee', 'n'],
  },
];

const LOCK = 'analytics-aggregates-compaction';

function compactSql({ table, keys, sums }: Aggregate) {
  const k = keys.join(', ');
  return `
    WITH moved AS (DELETE FROM ${table} WHERE NOT compacted RETURNING ${k}, ${sums.join(', ')}),
    folded AS (
      INSERT INTO ${table} AS t (${k}, ${sums.join(', ')}, compacted)
      SELECT ${k}, ${sums.map((s) => `sum(${s})`).join(', ')}, true FROM moved GROUP BY ${k}
      ON CONFLICT (${k}) WHERE compacted
      DO UPDATE SET ${sums.map((s) => `${s} = t.${s} + EXCLUDED.${s}`).join(', ')}
      RETURNING tenant_id, ${sums.map((s) => `${s} = 0 AS ${s}_zero`).join(', ')})
    SELECT (SELECT count(*) FROM moved)::int AS moved,
           array(SELECT DISTINCT tenant_id FROM folded WHERE ${sums.map((s) => `${s}_zero`).join(' AND ')}) AS zeroed`;
}

export interface CompactionResult {
  /** False when another process was compacting (this pass did nothing). */
  ran: boolean;
  /** Appended rows folded, per table. */
  folded: Record<string, number>;
}

export async function compactAggregates(pool: Pool): Promise<CompactionResult> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok',
      [LOCK],
    );
    const folded: Record<string, number> = {};
    if (!rows[0]?.ok) return { ran: false, folded };
    for (const agg of AGGREGATES) {
      const { rows: done } = await client.query<{ moved: number; zeroed: string[] }>(
        compactSql(agg),
      );
      const { moved, zeroed } = done[0] ?? { moved: 0, zeroed: [] };
      if (moved) folded[agg.table] = moved;
      // Keys whose contributions cancelled out (a row deleted, a status that came and went).
      if (zeroed.length)
        await client.query(
          `DELETE FROM ${agg.table} WHERE compacted AND tenant_id = ANY($1::uuid[])
              AND ${agg.sums.map((s) => `${s} = 0`).join(' AND ')}`,
          [zeroed],
        );
    }
    return { ran: true, folded };
  });
}
