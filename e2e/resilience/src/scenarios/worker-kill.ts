// A worker killed (SIGKILL) in the middle of a merchant's history import: a new worker resumes
// the run from its committed cursors, and when it finishes every resource holds exactly what the
// merchant's account holds — no gap, no duplicate.
import pg from 'pg';
import { FULL_KEY_PERMISSIONS } from '../../../../server/test/support/emulator.ts';
import { apiAndWorker, freePort, runningEmulator, sleep, until } from '../processes.ts';
import {
  connectSecret,
  freshDatabase,
  ready,
  sharedRedisUrl,
  type ScenarioResult,
} from '../setup.ts';

const TABLES: Record<string, string> = {
  dispute: 'disputes',
  charge: 'charges',
  payment_intent: 'payment_intents',
  refund: 'refunds',
  payout: 'payouts',
  balance_transaction: 'balance_transactions',
  customer: 'customers',
  early_fraud_warning: 'early_fraud_warnings',
};

interface Progress {
  status: string;
  percent?: number;
  objects?: number;
}

export async function workerKillScenario(short: boolean): Promise<ScenarioResult> {
  const charges = short ? 2500 : 30000;
  const db = await freshDatabase();
  const { proc: emu, url: emuUrl, control } = await runningEmulator();
  const problems: string[] = [];
  const stack = apiAndWorker({
    databaseUrl: db.url,
    redisUrl: sharedRedisUrl,
    apiPort: await freePort(),
    connectSecret: connectSecret(),
    stripeApiBase: emuUrl,
    // Small slices so a kill lands between committed pages. A kill between marking a window
    // queued and queueing its job loses the job: maintenance offers it again after
    // BACKFILL_REOFFER_AFTER_MS (ten minutes in production; seconds here, within the bound).
    extraEnv: {
      BACKFILL_PAGES_PER_JOB: '5',
      BACKFILL_CONCURRENCY: '4',
      MAINTENANCE_INTERVAL_MS: '2000',
      BACKFILL_REOFFER_AFTER_MS: '10000',
    },
  });
  try {
    const { id: account } = await control<{ id: string }>('accounts', {});
    const seeded = await control<{ objects: Record<string, number> }>('seed', {
      account,
      charges,
      disputeRate: 0.02,
      seed: 5,
    });
    const { key } = await control<{ key: string }>('keys', {
      account,
      permissions: FULL_KEY_PERMISSIONS,
    });
    stack.api.start();
    stack.worker.start();
    await ready(stack.url);
    const admin = async <T>(method: string, p: string, body?: unknown) =>
      (await (
        await fetch(`${stack.url}/admin/v1/${p}`, {
          method,
          headers: {
            authorization: `Bearer ${stack.adminToken}`,
            'content-type': 'application/json',
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
      ).json()) as T;
    const { tenantId } = await admin<{ tenantId: string }>('POST', 'connections/api-key', {
      apiKey: key,
    });
    const progress = () => admin<Progress>('GET', `tenants/${tenantId}/backfill`);

    let killedAt = 0;
    await until(
      'the import to be under way',
      async () => ((await progress()).percent ?? 0) >= 15,
      120_000,
    );
    const before = await progress();
    if ((before.percent ?? 0) >= 95)
      problems.push(
        `the import was ${before.percent} % done before the kill: the scenario proves little`,
      );
    killedAt = before.percent ?? 0;
    await stack.worker.stop('SIGKILL');
    await sleep(1000);
    stack.worker.start();
    await until(
      'the import to finish',
      async () => ['succeeded', 'failed'].includes((await progress()).status),
      300_000,
    );
    const after = await progress();
    if (after.status !== 'succeeded') problems.push(`the import ended ${after.status}`);

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const counts: string[] = [];
    try {
      for (const [resource, table] of Object.entries(TABLES)) {
        const expected = seeded.objects[resource] ?? 0;
        const { rows } = await c.query<{ n: number; d: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT stripe_id)::int AS d FROM "${table}" WHERE tenant_id = $1`,
          [tenantId],
        );
        if (rows[0]!.n !== expected)
          problems.push(`${resource}: ${rows[0]!.n} stored, ${expected} on the account`);
        counts.push(`${resource} ${rows[0]!.n}/${expected}`);
      }
    } finally {
      await c.end();
    }
    return {
      name: 'worker killed mid-backfill',
      problems,
      figures: {
        'objects on the account': Object.values(seeded.objects).reduce((a, b) => a + b, 0),
        'killed at': `${killedAt} % (${before.objects ?? 0} objects stored)`,
        'stored / on the account': counts.join(', '),
        result: `${after.status}, ${after.objects ?? 0} objects`,
      },
    };
  } finally {
    await stack.api.stop();
    await stack.worker.stop();
    await emu.stop();
    await db.drop();
  }
}
