// npm run bench:reports — ingesting a 1,000,000-row payout_reconciliation.itemized.5 file
// (BENCH_ROWS to change it): rows/s and the ingesting process's peak RSS while the file streams
// from another process into Postgres. Targets (issue 19): ≥ 100,000 rows/s, peak RSS ≤ 200 MiB.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createDb } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';
import { ingestReportFile } from '../src/reports/ingest-report.ts';
import { admin, createBenchDatabase, dbUrl } from './support.ts';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const log = (m: string) => console.log(`[bench:reports] ${m}`);

const database = `dd_bench_rep_${Date.now().toString(36)}`;
const server = spawn(process.execPath, ['--import', 'tsx', 'bench/report-file-server.ts'], {
  cwd: path.resolve(import.meta.dirname, '..'),
  env: { ...process.env, BENCH_ROWS: String(rows) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  log(`writing the ${rows.toLocaleString()}-row file for the file server…`);
  const [chunk] = (await once(server.stdout, 'data')) as [Buffer];
  const url = chunk.toString().trim();
  log(`creating database ${database}…`);
  await createBenchDatabase(database);
  const db = createDb({ url: dbUrl(database), poolSize: 2 });
  const tenantId = (
    await db.pool.query<{ id: string }>(
      `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, updated_at)
       VALUES (gen_random_uuid(), 'acct_benchreports', false, 'active', 'api_key', now()) RETURNING id`,
    )
  ).rows[0]!.id;
  const runId = (
    await db.pool.query<{ id: string }>(
      `INSERT INTO report_runs (id, tenant_id, stripe_run_id, report_type, interval_start, interval_end, status, file_url)
       VALUES (gen_random_uuid(), $1, 'frr_bench', 'payout_reconciliation.itemized.5', now() - interval '30 days', now(), 'succeeded', $2)
       RETURNING id`,
      [tenantId, url],
    )
  ).rows[0]!.id;
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const progress = setInterval(async () => {
    const { rows: r } = await db.pool.query<{ n: string }>(
      `SELECT n_live_tup::text AS n FROM pg_stat_user_tables WHERE relname = 'report_rows'`,
    );
    log(
      `  ~${Number(r[0]?.n ?? 0).toLocaleString()} rows so far, RSS ${Math.round(process.memoryUsage().rss / 1048576)} MiB`,
    );
  }, 2000);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await ingestReportFile(
    { pool: db.pool, logger: createLogger({ level: 'warn', name: 'bench' }) },
    { id: runId, tenantId, reportType: 'payout_reconciliation.itemized.5' },
    { url, headers: {} },
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  clearInterval(progress);
  const stored = (
    await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM report_rows WHERE report_run_id = $1',
      [runId],
    )
  ).rows[0]!.n;
  await db.close();
  if (stored !== rows || result.rows !== rows) throw new Error(`stored ${stored} of ${rows} rows`);
  console.log(
    '\nSummary (2-core machine; file server, this process and Postgres on the same host)',
  );
  console.log(
    `  rows ingested     ${stored.toLocaleString()} (payout_reconciliation.itemized.5, ${22} columns)`,
  );
  console.log(
    `  time              ${seconds.toFixed(1)} s = ${Math.round(stored / seconds).toLocaleString()} rows/s (target ≥ 100,000)`,
  );
  console.log(
    `  CPU               ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s in this process (${(((cpu.user + cpu.system) / 1e3 / seconds) * 0.1).toFixed(0)} % of one core)`,
  );
  console.log(
    `  peak RSS          ${Math.round(peak / 1048576)} MiB (baseline ${Math.round(baseline / 1048576)} MiB; target ≤ 200 MiB)`,
  );
} finally {
  server.kill('SIGTERM');
  await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
}
