// Postgres restarted during load (a private cluster): the API answers 503 while it is away
// (Stripe retries those), recovers by itself, and loses nothing it acknowledged.
import { disputeEvents, drive, verify } from '../driver.ts';
import { PrivatePostgres } from '../postgres.ts';
import { apiAndWorker, freePort } from '../processes.ts';
import {
  accountsNamed,
  activeTenants,
  connectSecret,
  freshDatabase,
  ready,
  sharedRedisUrl,
  type ScenarioResult,
} from '../setup.ts';

export async function postgresScenario(short: boolean): Promise<ScenarioResult> {
  const outage = short ? 3 : 10;
  const seconds = outage + (short ? 8 : 15);
  const rate = short ? 100 : 200;
  const cluster = await PrivatePostgres.create();
  const db = await freshDatabase(cluster.url());
  const accounts = accountsNamed(20, `p${Date.now().toString(36)}`);
  await activeTenants(db.url, accounts);
  const secret = connectSecret();
  const stack = apiAndWorker({
    databaseUrl: db.url,
    redisUrl: sharedRedisUrl,
    apiPort: await freePort(),
    connectSecret: secret,
  });
  try {
    stack.api.start();
    stack.worker.start();
    await ready(stack.url);
    const events = disputeEvents(accounts, Math.ceil((rate * seconds) / 2) + 50);
    const run = await drive({
      url: stack.url,
      secret,
      events,
      ratePerSecond: rate,
      seconds,
      onSecond: (s) => {
        if (s === 3) cluster.stop();
        if (s === 3 + outage) cluster.start();
      },
    });
    const check = await verify(db.url, events, run.acked);
    const unavailable = run.statuses['503'] ?? 0;
    if (unavailable === 0) check.problems.push('no 503 while Postgres was down');
    const other = Object.entries(run.statuses).filter(([k]) => k !== '200' && k !== '503');
    if (other.length)
      check.problems.push(
        `answers other than 200 and 503: ${JSON.stringify(Object.fromEntries(other))}`,
      );
    const after = run.timeline.slice(3 + outage + 2).reduce((a, b) => a + (b['200'] ?? 0), 0);
    if (after === 0) check.problems.push('nothing acknowledged after Postgres came back');
    return {
      name: 'postgres restart',
      problems: check.problems,
      figures: {
        'Postgres down': `${outage} s`,
        answers: JSON.stringify(run.statuses),
        'acknowledged (unique)': run.acked.size,
        'acknowledged after recovery': after,
        'all processed': `${check.drainSeconds.toFixed(1)} s after the load`,
      },
    };
  } finally {
    await stack.api.stop();
    await stack.worker.stop();
    await db.drop();
    cluster.destroy();
  }
}
