// raw_events partitioned by month (issue 20): the migration converts a table that already holds
// events without losing or changing one; maintenance creates months ahead (taking over what the
// default partition caught), drops months past the retention, and never one holding an event
// not yet processed.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { listEventPartitions, maintainEventPartitions } from '../src/events/event-partitions.ts';
import { storedPayload } from '../src/events/stored-payload.ts';
import { useStack } from './support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PARTITIONING = '20261202050000_partitioned_raw_events';
const env = useStack({ worker: false });
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function migrate(databaseUrl: string, config = 'prisma/prisma.config.ts') {
  const run = spawnSync('npx', ['prisma', 'migrate', 'deploy', '--config', config], {
    cwd: ROOT,
    // eslint-disable-next-line no-restricted-syntax -- the child needs PATH and the like
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`migrate deploy failed:\n${run.stdout}\n${run.stderr}`);
}

/** A Prisma config whose migrations stop before `before` (in .cache/, to resolve our packages). */
function configBefore(before: string): string {
  const dir = path.join(ROOT, '.cache', `migrate-${randomBytes(4).toString('hex')}`);
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const source = path.join(ROOT, 'prisma', 'migrations');
  for (const name of readdirSync(source)) {
    if (name.includes('_') && name >= before) continue;
    cpSync(path.join(source, name), path.join(dir, 'migrations', name), { recursive: true });
  }
  writeFileSync(
    path.join(dir, 'prisma.config.ts'),
    `import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';
import { poolFieldsFromUrl } from ${JSON.stringify(path.join(ROOT, 'server/src/pg-config.ts'))};
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: ${JSON.stringify(path.join(ROOT, 'prisma/schema.prisma'))},
  migrations: { path: ${JSON.stringify(path.join(dir, 'migrations'))} },
  adapter: async () => new PrismaPg(poolFieldsFromUrl(process.env.DATABASE_URL!)),
});
`,
  );
  return path.join(dir, 'prisma.config.ts');
}

async function emptyDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `dd_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`).finally(() => admin.end());
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => c.end());
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

const DAY = 86_400_000;
const monthStart = (offset: number, at = new Date()) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
const monthName = (d: Date) =>
  `raw_events_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

type Status = 'received' | 'processed' | 'ignored' | 'deferred' | 'failed';

async function storeEvent(
  db: pg.Pool | pg.Client,
  tenantId: string,
  created: Date,
  status: Status,
  eventId = `evt_${randomBytes(8).toString('hex')}`,
) {
  const { rows } = await db.query<{ id: string; partition: string }>(
    `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, payload, source, status)
     VALUES ($1, $2, 'charge.succeeded', false, $3, $4, 'webhook_connect', $5)
     ON CONFLICT DO NOTHING
     RETURNING id::text, tableoid::regclass::text AS partition`,
    [tenantId, eventId, created, JSON.stringify({ id: eventId, n: created.getTime() }), status],
  );
  return rows[0] ?? null;
}

interface StoredRow {
  id: string;
  tenant_id: string;
  stripe_event_id: string;
  stripe_created_at: Date;
  status: Status;
  payload: unknown;
  received_at: Date;
}

/** Every stored event; `body` reads the payload (the columns of the schema at hand). */
const allEvents = async (db: pg.Pool | pg.Client, body = storedPayload()) =>
  (
    await db.query<StoredRow>(
      `SELECT id::text, tenant_id, stripe_event_id, stripe_created_at, status,
              ${body} AS payload, received_at
         FROM raw_events ORDER BY id`,
    )
  ).rows;

describe('raw_events partitions', () => {
  it('the migration converts a table holding events: every one kept as it was, redeliveries still refused', async () => {
    const url = await emptyDatabase();
    migrate(url, configBefore(PARTITIONING));
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    cleanups.push(() => db.end());
    const tenants = [randomUUID(), randomUUID()];
    const statuses: Status[] = ['processed', 'received', 'failed', 'ignored', 'deferred'];
    const stored: Array<{ tenantId: string; eventId: string; created: Date }> = [];
    for (let i = 0; i < 200; i++) {
      const tenantId = tenants[i % 2]!;
      const eventId = `evt_old${i}`;
      // Created from 400 days ago up to a minute ago.
      const created = new Date(Date.now() - 60_000 - Math.floor((400 * DAY * i) / 200));
      await storeEvent(db, tenantId, created, statuses[i % statuses.length]!, eventId);
      stored.push({ tenantId, eventId, created });
    }
    const before = await allEvents(db, 'payload');
    expect(before).toHaveLength(200);

    migrate(url);
    const after = await allEvents(db);
    expect(after).toEqual(before);
    const { rows: placed } = await db.query<{ partition: string; n: number }>(
      `SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM raw_events GROUP BY 1`,
    );
    expect(placed).toEqual([{ partition: 'raw_events_history', n: 200 }]);
    const { rows: kind } = await db.query<{ strategy: string }>(
      `SELECT partstrat AS strategy FROM pg_partitioned_table WHERE partrelid = 'raw_events'::regclass`,
    );
    expect(kind).toEqual([{ strategy: 'r' }]);

    // Redeliveries of stored events (the same id and created) are still refused, old or new.
    for (const s of [stored[0]!, stored[199]!])
      expect(await storeEvent(db, s.tenantId, s.created, 'received', s.eventId)).toBeNull();
    // The same event id for another tenant is another event; new ids continue the sequence.
    const other = await storeEvent(db, randomUUID(), stored[0]!.created, 'received', 'evt_old0');
    expect(Number(other!.id)).toBeGreaterThan(Math.max(...before.map((r) => Number(r.id))));
    // Next month (not created yet: maintenance does) goes to the default partition, not lost.
    const ahead = await storeEvent(
      db,
      tenants[0]!,
      new Date(monthStart(1).getTime() + DAY),
      'received',
    );
    expect(ahead!.partition).toBe('raw_events_default');
    // Two `prisma migrate deploy` runs: each lingers 10 s after its work (a timer of the CLI's
    // schema engine, not ours to clear), so the default 30 s was too tight on a loaded machine.
  }, 120_000);

  it('maintenance creates months ahead, drops months past retention, never one with unprocessed events', async () => {
    const pool = env.stack.db.pool;
    const deps = { pool, logger: env.stack.logger };
    const tenantId = randomUUID();
    const names = async () => (await listEventPartitions(pool)).map((p) => p.name);
    expect(await names()).toEqual(['raw_events_history', 'raw_events_default']);

    // An event for the month after next arrived before its month existed: it is in the default.
    const early = await storeEvent(
      pool,
      tenantId,
      new Date(monthStart(2).getTime() + 3 * DAY),
      'received',
    );
    expect(early!.partition).toBe('raw_events_default');

    const first = await maintainEventPartitions(deps, { retentionDays: 90 });
    const ahead = [1, 2, 3].map((k) => monthName(monthStart(k)));
    expect(first).toMatchObject({ created: ahead, moved: 1, dropped: [], held: [] });
    expect(await names()).toEqual(['raw_events_history', ...ahead, 'raw_events_default']);
    const partitionOf = async (id: string) =>
      (
        await pool.query<{ p: string }>(
          'SELECT tableoid::regclass::text AS p FROM raw_events WHERE id = $1',
          [id],
        )
      ).rows[0]?.p;
    expect(await partitionOf(early!.id)).toBe(ahead[1]);
    // A month made by maintenance is the parent's shape: lz4 payloads, the same indexes, the
    // check that every row holds a body.
    const { rows: shape } = await pool.query<{
      compression: string;
      indexes: number;
      checks: string[];
    }>(
      `SELECT (SELECT attcompression FROM pg_attribute
                WHERE attrelid = $1::regclass AND attname = 'payload') AS compression,
              (SELECT count(*)::int FROM pg_index WHERE indrelid = $1::regclass) AS indexes,
              (SELECT array_agg(conname::text) FROM pg_constraint
                WHERE conrelid = $1::regclass AND contype = 'c') AS checks`,
      [ahead[0]],
    );
    expect(shape).toEqual([
      { compression: 'l', indexes: 4, checks: ['raw_events_payload_present'] },
    ]);
    await expect(
      pool.query(
        `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, source)
         VALUES ($1, 'evt_nobody', 'charge.updated', false, $2, 'webhook_connect')`,
        [tenantId, new Date(monthStart(1).getTime() + DAY)],
      ),
    ).rejects.toThrow(/raw_events_payload_present/);
    // Idempotent.
    expect(await maintainEventPartitions(deps, { retentionDays: 90 })).toMatchObject({
      created: [],
      moved: 0,
      dropped: [],
    });

    // More events: processed ones in every month, one failed in the history, and two in the
    // default partition (far ahead of every month), one processed and one not.
    const processed = [];
    for (const k of [0, 1, 2, 3])
      processed.push(
        await storeEvent(pool, tenantId, new Date(monthStart(k).getTime() + DAY), 'processed'),
      );
    const failed = await storeEvent(pool, tenantId, new Date(Date.now() - 10 * DAY), 'failed');
    const farProcessed = await storeEvent(pool, tenantId, monthStart(9), 'processed');
    const farReceived = await storeEvent(pool, tenantId, monthStart(10), 'received');
    expect(farProcessed!.partition).toBe('raw_events_default');

    // A year and a quarter on, with 90 days' retention, every month so far is past it.
    const later = monthStart(15);
    const pass = await maintainEventPartitions(deps, { retentionDays: 90, now: later });
    expect(pass.created).toEqual([0, 1, 2, 3].map((k) => monthName(monthStart(15 + k))));
    expect(pass.dropped).toEqual([ahead[0], ahead[2]]);
    expect(pass.held).toEqual([
      { partition: 'raw_events_history', unprocessed: 1 },
      { partition: ahead[1], unprocessed: 1 },
      { partition: 'raw_events_default', unprocessed: 1 },
    ]);
    expect(pass.deletedFromDefault).toBe(1);
    const remaining = new Set((await allEvents(pool)).map((r) => r.id));
    for (const kept of [early, failed, farReceived, processed[0], processed[2]])
      expect(remaining).toContain(kept!.id);
    for (const gone of [processed[1], processed[3], farProcessed])
      expect(remaining).not.toContain(gone!.id);

    // Once those events are processed, their months go too (the default partition stays).
    await pool.query(`UPDATE raw_events SET status = 'processed' WHERE id = ANY($1)`, [
      [early!.id, failed!.id, farReceived!.id],
    ]);
    const last = await maintainEventPartitions(deps, { retentionDays: 90, now: later });
    expect(last).toMatchObject({
      created: [],
      dropped: ['raw_events_history', ahead[1]],
      held: [],
      deletedFromDefault: 1,
    });
    expect(await names()).toEqual([
      ...[0, 1, 2, 3].map((k) => monthName(monthStart(15 + k))),
      'raw_events_default',
    ]);
    // A pass while another holds the lock skips, and says so.
    const holder = await pool.connect();
    await holder.query(`SELECT pg_advisory_lock(hashtext('disputedesk:event-partitions'))`);
    try {
      expect(await maintainEventPartitions(deps, { retentionDays: 90, now: later })).toMatchObject({
        skipped: true,
        created: [],
      });
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(hashtext('disputedesk:event-partitions'))`);
      holder.release();
    }
    // Two passes at once (two workers starting): one at a time, nothing made twice, no error.
    const twice = await Promise.all(
      [0, 1].map(() => maintainEventPartitions(deps, { retentionDays: 90, now: monthStart(30) })),
    );
    const made = twice.flatMap((p) => p.created);
    expect(made.sort()).toEqual([0, 1, 2, 3].map((k) => monthName(monthStart(30 + k))).sort());
    // Ingestion never fails for want of a month: an event of today goes to the default partition.
    const today = await storeEvent(pool, tenantId, new Date(), 'received');
    expect(today!.partition).toBe('raw_events_default');
  });
});
