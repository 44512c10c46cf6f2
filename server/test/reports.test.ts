// Report ingestion end to end: on connect, monthly report runs for the five report types; each
// succeeded run's CSV is streamed in with the tenant's key into typed rows; retries are
// idempotent; a malformed file fails its run naming the row and leaves nothing behind; failed
// runs and report-type updates are recorded and acted on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeRateLimiter } from '../src/backfill/rate-limiter.ts';
import { TenantClients } from '../src/connections/credentials/tenant-clients.ts';
import { REPORT_TYPES } from '../src/reports/report-types.ts';
import { ingestReportRun } from '../src/reports/reports-job.ts';
import { createRedis } from '../src/redis.ts';
import { ADMIN_TOKEN, FULL_KEY_PERMISSIONS } from './support/emulator.ts';
import { CONNECT_SECRETS, useEmulatedStack } from './support/harness.ts';
import { sendEvent } from './support/http.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({
  STRIPE_RATE_LIMIT_TEST: '0',
  REPORTS_HISTORY_MONTHS: '2',
  BACKFILL_HISTORY_MONTHS: '2',
});

const PERMS = FULL_KEY_PERMISSIONS;

async function control<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${emu.emulator.url}/_emulator/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

async function connectedTenant(charges: number) {
  const { id: account } = await control<{ id: string }>('accounts', {});
  await control('seed', { account, charges, seed: charges });
  const { key } = await control<{ key: string }>('keys', { account, permissions: PERMS });
  const res = await fetch(`${env.stack.api.url}/admin/v1/connections/api-key`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: key }),
  });
  const body = (await res.json()) as { tenantId: string };
  return { account, key, tenantId: body.tenantId };
}

interface RunRow {
  id: string;
  report_type: string;
  status: string;
  rows: number | null;
  error: string | null;
  file_url: string | null;
}
const runsOf = async (tenantId: string) =>
  (
    await env.stack.db.pool.query<RunRow>(
      `SELECT id, report_type, status, rows, error, file_url FROM report_runs WHERE tenant_id = $1 ORDER BY report_type, interval_start`,
      [tenantId],
    )
  ).rows;

let fileServer: http.Server;
let fileUrl: string;
const files = new Map<string, string>();
beforeAll(async () => {
  fileServer = http.createServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (body === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/csv' }).end(body);
  });
  await new Promise<void>((r) => fileServer.listen(0, '127.0.0.1', r));
  fileUrl = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => fileServer.close(r)));

function reportsDeps() {
  const redis = createRedis(env.stack.config.redis.url, 'producer');
  return {
    deps: {
      pool: env.stack.db.pool,
      logger: env.stack.logger,
      clients: new TenantClients({
        prisma: env.stack.db.prisma,
        keyring: env.stack.keyring,
        stripe: env.stack.config.stripe,
        logger: env.stack.logger,
      }),
      limiter: new StripeRateLimiter(redis, 'unused', { test: 0, live: 0 }),
      historyMonths: 2,
    },
    close: () => redis.disconnect(),
  };
}

describe('report runs', () => {
  it('are created on connect for every type and month, and each file is ingested into typed rows', async () => {
    const { tenantId, key } = await connectedTenant(3000);
    const runs = await waitFor(
      async () => {
        const r = await runsOf(tenantId);
        return r.length >= REPORT_TYPES.length * 2 && r.every((x) => x.status === 'ingested')
          ? r
          : null;
      },
      { timeoutMs: 60_000, what: 'every report run to be ingested' },
    );
    expect(new Set(runs.map((r) => r.report_type))).toEqual(new Set(REPORT_TYPES));
    // Each run's rows are exactly the file's rows.
    for (const run of runs) {
      const csv = await (
        await fetch(run.file_url!, { headers: { authorization: `Bearer ${key}` } })
      ).text();
      const lines = csv.trim().split('\n').length - 1;
      expect(run.rows, `${run.report_type}`).toBe(lines);
    }
    const typed = await env.stack.db.pool.query<{
      n: number;
      with_amounts: number;
      with_times: number;
    }>(
      `SELECT count(*)::int AS n, count(net)::int AS with_amounts, count(created_at)::int AS with_times
         FROM report_rows WHERE tenant_id = $1 AND report_type = 'balance_change_from_activity.itemized.3'`,
      [tenantId],
    );
    expect(typed.rows[0]!.n).toBeGreaterThan(100);
    expect(typed.rows[0]!.with_amounts).toBe(typed.rows[0]!.n);
    expect(typed.rows[0]!.with_times).toBe(typed.rows[0]!.n);
    // Amounts are minor units: a balance summary's ending balance equals start + activity + payouts.
    const summary = await env.stack.db.pool.query<{ category: string; net: string }>(
      `SELECT category, net::text FROM report_rows r JOIN report_runs u ON u.id = r.report_run_id
        WHERE r.tenant_id = $1 AND r.report_type = 'balance.summary.1' AND r.currency = 'usd'
        ORDER BY u.interval_start DESC, r.row_number LIMIT 4`,
      [tenantId],
    );
    const by = Object.fromEntries(summary.rows.map((r) => [r.category, BigInt(r.net)]));
    expect(by.ending_balance).toBe(by.starting_balance! + by.activity! + by.payouts!);
  }, 90_000);

  it('re-ingesting a run is idempotent', async () => {
    const { tenantId } = await connectedTenant(500);
    const runs = await waitFor(
      async () => {
        const r = await runsOf(tenantId);
        return r.length > 0 && r.every((x) => x.status === 'ingested') ? r : null;
      },
      { timeoutMs: 60_000 },
    );
    const run = runs.find((r) => (r.rows ?? 0) > 0)!;
    await env.stack.db.pool.query(`UPDATE report_runs SET status = 'succeeded' WHERE id = $1`, [
      run.id,
    ]);
    const { deps, close } = reportsDeps();
    try {
      await ingestReportRun(deps, run.id);
    } finally {
      close();
    }
    const count = await env.stack.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM report_rows WHERE report_run_id = $1`,
      [run.id],
    );
    expect(count.rows[0]!.n).toBe(run.rows);
  }, 90_000);

  it('a malformed file fails its run with the row number and leaves no rows', async () => {
    const { tenantId } = await connectedTenant(50);
    const header = 'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category';
    const cases: Array<[string, string, RegExp]> = [
      [
        '/columns.csv',
        `${header}\ntxn_1,2026-01-01 00:00:00,usd,1.00,0.10,0.90,charge\ntxn_2,2026-01-01 00:00:00,usd,1.00\n`,
        /row 2/,
      ],
      [
        '/amount.csv',
        `${header}\ntxn_1,2026-01-01 00:00:00,usd,1.00,0.10,0.90,charge\ntxn_2,2026-01-01 00:00:00,usd,1.00,0.10,0.90,charge\ntxn_3,2026-01-01 00:00:00,usd,lots,0.10,0.90,charge\n`,
        /row 3: gross is not an amount/,
      ],
      [
        '/time.csv',
        `${header}\ntxn_1,yesterday,usd,1.00,0.10,0.90,charge\n`,
        /row 1: created_utc is not a time/,
      ],
    ];
    const { deps, close } = reportsDeps();
    try {
      for (const [path, body, message] of cases) {
        files.set(path, body);
        const { rows } = await env.stack.db.pool.query<{ id: string }>(
          `INSERT INTO report_runs (id, tenant_id, stripe_run_id, report_type, interval_start, interval_end, status, file_url)
           VALUES (gen_random_uuid(), $1, $2, 'balance_change_from_activity.itemized.3', now() - interval '1 day', now(), 'succeeded', $3)
           RETURNING id`,
          [tenantId, `frr_bad${path.slice(1, 6)}`, `${fileUrl}${path}`],
        );
        const id = rows[0]!.id;
        await expect(ingestReportRun(deps, id)).rejects.toThrow(message);
        const run = (
          await env.stack.db.pool.query<RunRow>(`SELECT * FROM report_runs WHERE id = $1`, [id])
        ).rows[0]!;
        expect(run.status).toBe('ingest_failed');
        expect(run.error).toMatch(message);
        const left = await env.stack.db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM report_rows WHERE report_run_id = $1`,
          [id],
        );
        expect(left.rows[0]!.n).toBe(0);
      }
    } finally {
      close();
    }
  });

  it('records failed runs, and creates runs only for new intervals on report_type.updated', async () => {
    const { account, tenantId } = await connectedTenant(50);
    await waitFor(async () => (await runsOf(tenantId)).length >= REPORT_TYPES.length * 2, {
      timeoutMs: 60_000,
    });
    const before = (await runsOf(tenantId)).length;
    const now = Math.floor(Date.now() / 1000);
    const send = (id: string, type: string, object: Record<string, unknown>) =>
      sendEvent(
        `${env.stack.api.url}/webhooks/stripe/connect`,
        {
          id,
          object: 'event',
          type,
          account,
          api_version: '2026-10-28.endive',
          created: now,
          livemode: false,
          data: { object },
        },
        CONNECT_SECRETS[0]!,
      );
    expect(
      (
        await send('evt_rr_failed', 'reporting.report_run.failed', {
          id: 'frr_failed_1',
          object: 'reporting.report_run',
          created: now,
          error: 'Stripe could not build the report',
          livemode: false,
          parameters: { interval_start: now - 86400, interval_end: now - 3600 },
          report_type: 'payouts.itemized.3',
          result: null,
          status: 'failed',
          succeeded_at: null,
        })
      ).status,
    ).toBe(200);
    await waitFor(async () => (await runsOf(tenantId)).some((r) => r.status === 'failed'), {
      what: 'the failed run',
    });
    expect((await runsOf(tenantId)).find((r) => r.status === 'failed')!.error).toBe(
      'Stripe could not build the report',
    );
    expect(
      (
        await send('evt_rt_updated', 'reporting.report_type.updated', {
          id: 'payouts.itemized.3',
          object: 'reporting.report_type',
          data_available_start: 1577836800,
          data_available_end: now - 3600,
          default_columns: [],
          livemode: false,
          name: 'Payouts',
          updated: now,
          version: 3,
        })
      ).status,
    ).toBe(200);
    await waitFor(async () => {
      const { rows } = await env.stack.db.pool.query<{ status: string }>(
        `SELECT status FROM raw_events WHERE stripe_event_id = 'evt_rt_updated'`,
      );
      return rows[0]?.status === 'processed';
    });
    // Everything settled: the event's job has finished (so its follow-ups are queued) and whatever
    // it queued on the reports queue has run.
    await waitFor(async () => {
      const busy = async (q: 'events' | 'reports') => {
        const c = await env.stack.queues[q].getJobCounts('waiting', 'active', 'delayed');
        return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0);
      };
      return (await busy('events')) + (await busy('reports')) === 0 ? true : null;
    });
    // No new data yet: no duplicate runs (one more row: the failed run we were told about).
    expect((await runsOf(tenantId)).length).toBe(before + 1);
  }, 90_000);
});
