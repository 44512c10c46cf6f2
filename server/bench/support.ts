// What every benchmark needs: a fresh migrated database, the built server, child processes that
// become healthy and stop gracefully, and percentiles.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SERVER = path.resolve(import.meta.dirname, '..');
export const adminUrl =
  process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const dbUrl = (name: string) =>
  Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

export async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

/** Creates the database and applies the committed migrations. */
export async function createBenchDatabase(name: string) {
  await admin(`CREATE DATABASE "${name}"`);
  const migrate = spawnSync(
    'npx',
    ['prisma', 'migrate', 'deploy', '--config', 'prisma/prisma.config.ts'],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl(name) }, encoding: 'utf8' },
  );
  if (migrate.status !== 0) throw new Error(migrate.stderr);
  return dbUrl(name);
}

/**
 * Before a timed phase (not timed itself): Postgres writes out its dirty buffers (CHECKPOINT) and
 * the kernel its dirty pages (sync), so a run does not pay for the writes of the one before it —
 * without it, in rounds of bench:processing, whichever ran first in a round was its fastest.
 */
export async function settleWrites() {
  await admin('CHECKPOINT');
  spawnSync('sync');
}

export const dropBenchDatabase = (name: string) =>
  admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);

/** Compiles the server as production runs it (dist/). */
export function buildServer() {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: SERVER,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('build failed');
}

export async function waitHealthy(url: string, child: ChildProcess) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

export async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Active OAuth tenants for the given accounts, as an install leaves them; their ids by account. */
/**
 * Merchants as they stand once connected and imported: active, with a finished history import
 * (otherwise the worker's maintenance pass would start 50 imports — of accounts with no
 * credentials here — in the middle of what is being measured).
 */
export async function insertActiveTenants(db: Pick<pg.Client, 'query'>, accounts: string[]) {
  const { rows } = await db.query<{ id: string; stripe_account_id: string }>(
    `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, connected_at, updated_at)
     SELECT gen_random_uuid(), a, false, 'active', 'oauth', now(), now() FROM unnest($1::text[]) a
     RETURNING id, stripe_account_id`,
    [accounts],
  );
  await db.query(
    `INSERT INTO backfill_runs (id, tenant_id, reason, status, finished_at)
     SELECT gen_random_uuid(), t, 'initial', 'succeeded', now() FROM unnest($1::uuid[]) t`,
    [rows.map((r) => r.id)],
  );
  return rows;
}

/** The environment of the built API or worker in a benchmark: production mode, a fresh key. */
export function serverEnv(
  databaseUrl: string,
  queuePrefix: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    ENCRYPTION_KEYS: `b:${randomBytes(32).toString('base64')}`,
    ENCRYPTION_PRIMARY_KEY_ID: 'b',
    ...extra,
  };
}
