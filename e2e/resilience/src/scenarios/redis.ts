// Redis stopped during load: the API keeps answering 2xx (events are committed to Postgres), and
// everything acknowledged is processed once Redis is back (the sweeper re-offers it).
import { PrivateRedis } from '../../../../server/test/support/redis-server.ts';
import { disputeEvents, drive, verify } from '../driver.ts';
import { apiAndWorker, freePort } from '../processes.ts';
import {
  accountsNamed,
  activeTenants,
  connectSecret,
  freshDatabase,
  ready,
  type ScenarioResult,
} from '../setup.ts';

export async function redisScenario(short: boolean): Promise<ScenarioResult> {
  const outage = short ? 5 : 20;
  const seconds = outage + (short ? 8 : 15);
  const rate = short ? 100 : 200;
  const redis = await PrivateRedis.create();
  const db = await freshDatabase();
  const accounts = accountsNamed(20, `r${Date.now().toString(36)}`);
  await activeTenants(db.url, accounts);
  const secret = connectSecret();
  const stack = apiAndWorker({
    databaseUrl: db.url,
    redisUrl: redis.url,
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
      onSecond: async (s) => {
        if (s === 3) await redis.stop();
        if (s === 3 + outage) await redis.start();
      },
    });
    const during = run.timeline.slice(4, 3 + outage).reduce((a, b) => a + (b['200'] ?? 0), 0);
    const check = await verify(db.url, events, run.acked);
    if (during === 0) check.problems.push('nothing was acknowledged while Redis was down');
    return {
      name: 'redis outage',
      problems: check.problems,
      figures: {
        'Redis down': `${outage} s`,
        'acknowledged while down': during,
        'acknowledged (unique)': run.acked.size,
        answers: JSON.stringify(run.statuses),
        'all processed': `${check.drainSeconds.toFixed(1)} s after the load`,
      },
    };
  } finally {
    await stack.api.stop();
    await stack.worker.stop();
    await redis.stop().catch(() => undefined);
    await db.drop();
  }
}
