// Starts the whole product for the scenarios, as production runs it: the server built to JS, a
// fresh database with the committed migrations, the Stripe emulator, the API and the worker in
// their own processes. Writes where everything is to .stack.json (read by support/stack.ts) and
// returns the teardown. Retention is 0 days and maintenance runs every second, so a disconnected
// tenant is purged within seconds (scenario 5).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, STACK_FILE, type StackInfo } from './stack.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const adminUrl = process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PLATFORM_KEY = 'sk_test_emulator_platform_key';

async function until(what: string, check: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const dbUrl = (name: string) =>
  Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

export default async function globalSetup() {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const database = `dd_e2e_${runId}`;
  const logs = path.join(ROOT, 'test-results', 'e2e-logs');
  mkdirSync(logs, { recursive: true });
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[], cwd: string, env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
    const out = createWriteStream(path.join(logs, `${name}.log`));
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    children.push(child);
    return child;
  };
  const teardown = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(
      children.filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once('exit', r))),
    );
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  };

  try {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
      cwd: path.join(ROOT, 'server'),
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`server build failed:\n${build.stdout}${build.stderr}`);
    await admin(`CREATE DATABASE "${database}"`);
    const migrate = spawnSync(
      'npx',
      ['prisma', 'migrate', 'deploy', '--config', 'prisma/prisma.config.ts'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl(database) }, encoding: 'utf8' },
    );
    if (migrate.status !== 0) throw new Error(migrate.stderr);

    const [emulatorPort, apiPort] = [await freePort(), await freePort()];
    const emulator = `http://127.0.0.1:${emulatorPort}`;
    const api = `http://127.0.0.1:${apiPort}`;
    start(
      'emulator',
      ['--import', 'tsx', 'src/main.ts', '--port', String(emulatorPort), '--no-rate-limit'],
      path.join(ROOT, 'e2e/stripe-emulator'),
    );
    await until('the emulator', async () => (await fetch(`${emulator}/_emulator/info`)).ok);
    const endpoint = (await (
      await fetch(`${emulator}/v1/webhook_endpoints`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${PLATFORM_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          url: `${api}/webhooks/stripe/connect`,
          connect: 'true',
          'enabled_events[]': '*',
        }).toString(),
      })
    ).json()) as { secret: string };

    const info: StackInfo = {
      api,
      emulator,
      databaseUrl: dbUrl(database),
      platformKey: PLATFORM_KEY,
      appSecret: `absec_e2e_${randomBytes(12).toString('hex')}`,
      bootstrapToken: randomBytes(24).toString('hex'),
    };
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      PUBLIC_BASE_URL: api,
      DATABASE_URL: info.databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: `dde2e-${runId}`,
      ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
      ENCRYPTION_PRIMARY_KEY_ID: 'e2e',
      STRIPE_API_BASE: emulator,
      STRIPE_SECRET_KEY_TEST: PLATFORM_KEY,
      STRIPE_OAUTH_CLIENT_ID: 'ca_emulator_platform',
      STRIPE_OAUTH_AUTHORIZE_URL: `${emulator}/oauth/authorize`,
      STRIPE_CONNECT_WEBHOOK_SECRETS: endpoint.secret,
      STRIPE_APP_SIGNING_SECRETS: info.appSecret,
      STRIPE_RATE_LIMIT_TEST: '0',
      ADMIN_API_TOKENS: info.bootstrapToken,
      NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'true',
      NOTIFICATION_BACKOFF_MS: '200',
      TENANT_PURGE_AFTER_DAYS: '0',
      MAINTENANCE_INTERVAL_MS: '1000',
      SWEEPER_INTERVAL_MS: '500',
      SWEEPER_GRACE_MS: '2000',
    };
    const server = path.join(ROOT, 'server');
    start('api', ['dist/main.js'], server, env);
    start('worker', ['dist/worker.js'], server, env);
    await until('the API', async () => (await fetch(`${api}/readyz`)).ok);
    writeFileSync(STACK_FILE, JSON.stringify(info, null, 2));
    return teardown;
  } catch (err) {
    await teardown();
    throw err;
  }
}
