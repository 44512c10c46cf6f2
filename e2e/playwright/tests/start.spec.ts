// The README's run command: `bash scripts/start.sh` (what `npm start` runs) on its own database,
// ports and queue prefix, beside the shared stack. It must come up with the emulator, the API, the
// workers and three demo merchants installed through OAuth whose history is imported; print a
// working admin token, the install link (which opens the authorize page) and the Stripe CLI
// command; and on Ctrl-C (SIGINT to its process group) stop everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { freePort } from '../support/stack.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const adminUrl = process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const up = (url: string) =>
  fetch(url).then(
    () => true,
    () => false,
  );

test('npm start runs the whole demo, prints what to try, and stops on Ctrl-C', async ({ page }) => {
  test.setTimeout(300_000);
  const [apiPort, emulatorPort, receiverPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const api = `http://127.0.0.1:${apiPort}`;
  const database = `dd_e2e_start_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dd-start-'));
  const envFile = path.join(dir, 'env');
  const secret = () => randomBytes(24).toString('hex');
  // .env.example with this run's database, port, prefix and fresh secrets, as start.sh writes it.
  const values: Record<string, string> = {
    PORT: String(apiPort),
    PUBLIC_BASE_URL: api,
    DATABASE_URL: Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString(),
    QUEUE_PREFIX: `dde2e-start-${randomBytes(3).toString('hex')}`,
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ENCRYPTION_PRIMARY_KEY_ID: 'k1',
    STRIPE_CONNECT_WEBHOOK_SECRETS: `whsec_${secret()}`,
    STRIPE_APP_SIGNING_SECRETS: `absec_${secret()}`,
    ADMIN_API_TOKENS: secret(),
    LOG_LEVEL: 'warn',
  };
  writeFileSync(
    envFile,
    readFileSync(path.join(ROOT, '.env.example'), 'utf8')
      .split('\n')
      .map((line) => {
        const name = /^([A-Z_]+)=/.exec(line)?.[1];
        return name && name in values ? `${name}=${values[name]}` : line;
      })
      .join('\n'),
  );

  const child = spawn('bash', ['scripts/start.sh'], {
    cwd: ROOT,
    detached: true, // its own process group, as a terminal's Ctrl-C reaches it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DISPUTEDESK_ENV_FILE: envFile,
      DISPUTEDESK_DEV_DIR: dir,
      EMULATOR_PORT: String(emulatorPort),
      RECEIVER_PORT: String(receiverPort),
    },
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await expect
      .poll(() => output.includes('Ctrl-C stops everything.') || child.exitCode !== null, {
        timeout: 240_000,
        intervals: [500],
      })
      .toBe(true);
    expect(child.exitCode, output).toBeNull();
    test.info().attachments.push({
      name: 'npm start output',
      contentType: 'text/plain',
      body: Buffer.from(output),
    });

    // What it printed works.
    const token = /Admin token\s+(ddadm_[A-Za-z0-9_-]+)/.exec(output)?.[1];
    expect(token, output).toBeTruthy();
    expect(output).toContain(`npx stripe trigger charge.dispute.created`);
    const merchants = [...output.matchAll(/^ {2}(acct_[A-Za-z0-9]+)/gm)].map((m) => m[1]!);
    expect(new Set(merchants).size).toBe(3);
    const auth = { authorization: `Bearer ${token}` };
    for (const account of new Set(merchants)) {
      const list = (await (
        await fetch(`${api}/admin/v1/tenants?q=${account}`, { headers: auth })
      ).json()) as { data: Array<{ id: string; status: string }> };
      expect(list.data).toHaveLength(1);
      expect(list.data[0]!.status).toBe('active');
      // Its history is imported to the end, disputes included.
      await expect
        .poll(
          async () =>
            (
              (await (
                await fetch(`${api}/admin/v1/tenants/${list.data[0]!.id}/backfill`, {
                  headers: auth,
                })
              ).json()) as { status: string }
            ).status,
          { timeout: 120_000, intervals: [1000] },
        )
        .toBe('succeeded');
    }
    const db = new pg.Client({ connectionString: values.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM disputes');
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
    const board = await fetch(`${api}/admin/queues`, {
      headers: { authorization: `Basic ${Buffer.from(`support:${token}`).toString('base64')}` },
    });
    expect(board.status).toBe(200);
    // The install link opens the (emulated) Stripe authorize page.
    await page.goto(`${api}/oauth/install?mode=test`);
    await expect(page.getByRole('heading', { name: 'Install DisputeDesk' })).toBeVisible();

    // Ctrl-C: everything it started stops.
    process.kill(-child.pid!, 'SIGINT');
    await expect.poll(() => child.exitCode !== null, { timeout: 30_000 }).toBe(true);
    for (const url of [
      `${api}/healthz`,
      `http://127.0.0.1:${emulatorPort}/_emulator/info`,
      `http://127.0.0.1:${receiverPort}/`,
    ]) {
      await expect.poll(() => up(url), { timeout: 15_000 }).toBe(false);
    }
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).finally(() => c.end());
    rmSync(dir, { recursive: true, force: true });
    spawnSync('bash', [
      '-c',
      'redis-cli -u "$0" --scan --pattern "$1:*" | xargs -r redis-cli -u "$0" del >/dev/null',
      process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      values.QUEUE_PREFIX!,
    ]);
  }
});
