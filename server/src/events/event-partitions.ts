// raw_events is partitioned by month of the event's Stripe creation time (migration
// 20261202050000_partitioned_raw_events). The maintenance pass keeps it so:
// - the months from this one to MONTHS_AHEAD ahead exist, created ahead of their events (rows the
//   default partition caught for such a month move into it, in the same transaction);
// - a month wholly older than the retention is dropped whole — never one holding an event not yet
//   processed (received, deferred, failed): that month stays, reported, until its events are
//   processed, replayed or their tenant purged. Old processed rows that fell into the default
//   partition are deleted by the same rule;
// - the parent's planner statistics are fresh (autovacuum analyzes only the partitions).
// Each change is its own short transaction with a lock timeout, so ingestion waits at most that.
import { withTransaction, type Pool } from '../db.ts';
import type { Logger } from '../logger.ts';

export const MONTHS_AHEAD = 3;
const DEFAULT_PARTITION = 'raw_events_default';
const UNPROCESSED = `status IN ('received', 'deferred', 'failed')`;
const LOCK_TIMEOUT = `SET LOCAL lock_timeout = '5s'`;
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface EventPartition {
  name: string;
  /** Inclusive lower bound; null for MINVALUE (the history partition). */
  from: Date | null;
  /** Exclusive upper bound; null for the default partition. */
  to: Date | null;
  isDefault: boolean;
}

export interface PartitionPass {
  /** Another process was running a pass: this one did nothing. */
  skipped: boolean;
  created: string[];
  /** Rows moved from the default partition into a month created for them. */
  moved: number;
  dropped: string[];
  /** Months past the retention kept because they hold unprocessed events. */
  held: Array<{ partition: string; unprocessed: number }>;
  /** Processed rows past the retention deleted from the default partition. */
  deletedFromDefault: number;
}

export async function listEventPartitions(pool: Pool): Promise<EventPartition[]> {
  const { rows } = await pool.query<{
    name: string;
    bound: string;
    from: Date | null;
    to: Date | null;
  }>(
    `SELECT c.relname AS name, b.bound,
            substring(b.bound from 'FROM \\(''([^'']+)''\\)')::timestamptz AS "from",
            substring(b.bound from 'TO \\(''([^'']+)''\\)')::timestamptz AS "to"
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
      WHERE i.inhparent = 'raw_events'::regclass
      ORDER BY b.bound = 'DEFAULT', 4, 1`,
  );
  return rows.map((r) => ({
    name: r.name,
    from: r.from,
    to: r.to,
    isDefault: r.bound === 'DEFAULT',
  }));
}

const monthStart = (at: Date, offset: number) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));

const monthName = (start: Date) =>
  `raw_events_${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`;

/**
 * One pass at a time across every process (each worker runs one at start): a second caller
 * while one runs skips, and says so.
 */
export async function maintainEventPartitions(
  deps: { pool: Pool; logger: Logger },
  opts: { retentionDays: number; now?: Date },
): Promise<PartitionPass> {
  const lock = await deps.pool.connect();
  try {
    const { rows } = await lock.query<{ got: boolean }>(
      `SELECT pg_try_advisory_lock(hashtext('disputedesk:event-partitions')) AS got`,
    );
    if (!rows[0]!.got) return { ...emptyPass(), skipped: true };
    try {
      return await runPass(deps, opts);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext('disputedesk:event-partitions'))`);
    }
  } finally {
    lock.release();
  }
}

const emptyPass = (): PartitionPass => ({
  skipped: false,
  created: [],
  moved: 0,
  dropped: [],
  held: [],
  deletedFromDefault: 0,
});

async function runPass(
  deps: { pool: Pool; logger: Logger },
  opts: { retentionDays: number; now?: Date },
): Promise<PartitionPass> {
  const now = opts.now ?? new Date();
  const pass = emptyPass();
  const existing = await listEventPartitions(deps.pool);
  for (let k = 0; k <= MONTHS_AHEAD; k++) {
    const from = monthStart(now, k);
    const to = monthStart(now, k + 1);
    const covered = existing.some(
      (p) => !p.isDefault && (p.from === null || p.from < to) && (p.to === null || p.to > from),
    );
    if (covered) continue;
    pass.moved += await createMonth(deps.pool, monthName(from), from, to);
    pass.created.push(monthName(from));
  }
  const cutoff = new Date(now.getTime() - opts.retentionDays * 86400_000);
  for (const p of existing) {
    if (p.isDefault || p.to === null || p.to > cutoff) continue;
    const unprocessed = await dropIfProcessed(deps.pool, p.name);
    if (unprocessed === 0) pass.dropped.push(p.name);
    else pass.held.push({ partition: p.name, unprocessed });
  }
  const { rowCount } = await deps.pool.query(
    `DELETE FROM ${DEFAULT_PARTITION} WHERE stripe_created_at < $1 AND NOT (${UNPROCESSED})`,
    [cutoff],
  );
  pass.deletedFromDefault = rowCount ?? 0;
  const { rows } = await deps.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${DEFAULT_PARTITION} WHERE stripe_created_at < $1 AND ${UNPROCESSED}`,
    [cutoff],
  );
  if (rows[0]!.n > 0) pass.held.push({ partition: DEFAULT_PARTITION, unprocessed: rows[0]!.n });
  // Autovacuum never analyzes a partitioned parent; the planner uses its statistics for joins.
  await deps.pool.query('ANALYZE raw_events');
  if (pass.created.length || pass.dropped.length || pass.deletedFromDefault)
    deps.logger.info(pass, 'event partitions maintained');
  if (pass.held.length)
    deps.logger.warn(
      { held: pass.held, retentionDays: opts.retentionDays },
      'event partitions past retention kept: they hold events not yet processed',
    );
  return pass;
}

/** Creates one month's partition; answers how many rows it took over from the default. */
function createMonth(pool: Pool, name: string, from: Date, to: Date): Promise<number> {
  return withTransaction(pool, async (client) => {
    await client.query(LOCK_TIMEOUT);
    // No row may reach the default partition between the move and the attach's check of it.
    await client.query(`LOCK TABLE ${DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE`);
    await client.query(
      `CREATE TABLE ${ident(name)} (LIKE raw_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)`,
    );
    const moved = await client.query(
      `WITH moved AS (DELETE FROM ${DEFAULT_PARTITION}
                       WHERE stripe_created_at >= $1 AND stripe_created_at < $2 RETURNING *)
       INSERT INTO ${ident(name)} SELECT * FROM moved`,
      [from, to],
    );
    await client.query(
      `ALTER TABLE raw_events ATTACH PARTITION ${ident(name)}
         FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
    );
    return moved.rowCount ?? 0;
  });
}

/** Drops the partition when none of its events waits for processing; answers how many do. */
function dropIfProcessed(pool: Pool, name: string): Promise<number> {
  return withTransaction(pool, async (client) => {
    await client.query(LOCK_TIMEOUT);
    // Nothing may change an event's status (a replay) between the count and the drop.
    await client.query(`LOCK TABLE ${ident(name)} IN ACCESS EXCLUSIVE MODE`);
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${ident(name)} WHERE ${UNPROCESSED}`,
    );
    if (rows[0]!.n === 0) await client.query(`DROP TABLE ${ident(name)}`);
    return rows[0]!.n;
  });
}
