// What the Redis and Postgres scenarios share: a fresh database with 20 tenants, the API and a
// worker, dispute events at a fixed rate for `seconds`, a dependency taken down at second 3 and
// brought back `outage` seconds later, then every acknowledged event checked (driver.ts verify).
import { disputeEvents, drive, verify } from './driver.ts';
import { apiAndWorker, freePort } from './processes.ts';
import { accountsNamed, activeTenants, connectSecret, freshDatabase, ready } from './setup.ts';

export interface OutageRun {
  /** Accounts are named after it (one letter per scenario). */
  tag: string;
  /** Where the fresh database is made (default: the shared server). */
  adminUrl?: string;
  redisUrl: string;
  rate: number;
  seconds: number;
  outage: number;
  /** Given the run's database URL. */
  down: (databaseUrl: string) => unknown;
  up: (databaseUrl: string) => unknown;
  /** Settings for the API and the worker (e.g. a hash-tagged QUEUE_PREFIX on a cluster). */
  extraEnv?: Record<string, string>;
}

export async function loadThroughOutage(o: OutageRun) {
  const db = await freshDatabase(o.adminUrl);
  const accounts = accountsNamed(20, `${o.tag}${Date.now().toString(36)}`);
  await activeTenants(db.url, accounts);
  const secret = connectSecret();
  const stack = apiAndWorker({
    databaseUrl: db.url,
    redisUrl: o.redisUrl,
    apiPort: await freePort(),
    connectSecret: secret,
    extraEnv: o.extraEnv,
  });
  try {
    stack.api.start();
    stack.worker.start();
    await ready(stack.url);
    const events = disputeEvents(accounts, Math.ceil((o.rate * o.seconds) / 2) + 50);
    const run = await drive({
      url: stack.url,
      secret,
      events,
      ratePerSecond: o.rate,
      seconds: o.seconds,
      onSecond: async (s) => {
        if (s === 3) await o.down(db.url);
        if (s === 3 + o.outage) await o.up(db.url);
      },
    });
    return { run, check: await verify(db.url, events, run.acked) };
  } finally {
    await stack.api.stop();
    await stack.worker.stop();
    await db.drop();
  }
}
