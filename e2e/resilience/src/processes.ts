// The product's processes as production runs them (server built to JS), started, killed (-9 or
// TERM) and restarted by the scenarios, with their output in test-results/resilience/<scenario>/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
const LOGS = path.join(ROOT, 'test-results', 'resilience');
let logs = LOGS;

/** Where the processes started from now on write their output (each scenario its own folder). */
export function logScenario(name: string): string {
  logs = path.join(LOGS, name);
  return logs;
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

export function buildServer() {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: path.join(ROOT, 'server'),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`server build failed:\n${r.stdout}${r.stderr}`);
}

export function migrate(databaseUrl: string) {
  const r = spawnSync(
    'npx',
    ['prisma', 'migrate', 'deploy', '--config', 'prisma/prisma.config.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`migrations failed:\n${r.stderr}`);
}

/** One kind of process (api, worker, emulator) that can be started again after it stops. */
export class Proc {
  private child: ChildProcess | null = null;
  private starts = 0;
  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly cwd: string,
    private env: Record<string, string>,
  ) {}

  start(extraEnv: Record<string, string> = {}) {
    mkdirSync(logs, { recursive: true });
    this.env = { ...this.env, ...extraEnv };
    const log = createWriteStream(path.join(logs, `${this.name}-${++this.starts}.log`));
    const child = spawn(process.execPath, this.args, {
      cwd: this.cwd,
      env: { ...process.env, ...this.env },
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    return this;
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }
}

export interface ApiWorkerOptions {
  databaseUrl: string;
  redisUrl: string;
  apiPort: number;
  connectSecret: string;
  stripeApiBase?: string;
  extraEnv?: Record<string, string>;
}

/** The API and the worker with the settings every scenario shares; the bootstrap admin token. */
export function apiAndWorker(o: ApiWorkerOptions) {
  const adminToken = randomBytes(24).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(o.apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${o.apiPort}`,
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: `ddres-${randomBytes(4).toString('hex')}`,
    ENCRYPTION_KEYS: `r:${randomBytes(32).toString('base64')}`,
    ENCRYPTION_PRIMARY_KEY_ID: 'r',
    STRIPE_CONNECT_WEBHOOK_SECRETS: o.connectSecret,
    STRIPE_API_BASE: o.stripeApiBase ?? 'http://127.0.0.1:9',
    STRIPE_SECRET_KEY_TEST: 'sk_test_emulator_platform_key',
    STRIPE_OAUTH_CLIENT_ID: 'ca_emulator_platform',
    STRIPE_RATE_LIMIT_TEST: '0',
    ADMIN_API_TOKENS: adminToken,
    NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'true',
    NOTIFICATION_BACKOFF_MS: '500',
    SWEEPER_INTERVAL_MS: '1000',
    SWEEPER_GRACE_MS: '3000',
    EVENTS_BACKOFF_MS: '500',
    ...o.extraEnv,
  };
  const server = path.join(ROOT, 'server');
  return {
    api: new Proc('api', ['dist/main.js'], server, env),
    worker: new Proc('worker', ['dist/worker.js'], server, env),
    /** Another worker process with its own settings, e.g. a pool for some queues (WORKER_QUEUES). */
    workerWith: (name: string, settings: Record<string, string>) =>
      new Proc(name, ['dist/worker.js'], server, { ...env, ...settings }),
    url: `http://127.0.0.1:${o.apiPort}`,
    adminToken,
    env,
  };
}

export function emulator(port: number) {
  return new Proc(
    'emulator',
    ['--import', 'tsx', 'src/main.ts', '--port', String(port), '--no-rate-limit'],
    path.join(ROOT, 'e2e/stripe-emulator'),
    {},
  );
}

/** The emulator on a free port, answering; and a caller for its control API (/_emulator/…). */
export async function runningEmulator() {
  const port = await freePort();
  const proc = emulator(port).start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await until('the emulator', async () => (await fetch(`${url}/_emulator/info`)).ok);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const control = async <T>(p: string, body: unknown) =>
    (await (
      await fetch(`${url}/_emulator/${p}`, { method: 'POST', body: JSON.stringify(body) })
    ).json()) as T;
  return { proc, port, url, control };
}
