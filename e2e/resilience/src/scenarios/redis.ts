// Redis stopped during load: the API keeps answering 2xx (events are committed to Postgres), and
// everything acknowledged is processed once Redis is back (the sweeper re-offers it).
import { PrivateRedis } from '../../../../server/test/support/redis-server.ts';
import { loadThroughOutage } from '../outage.ts';
import type { ScenarioResult } from '../setup.ts';

export async function redisScenario(short: boolean): Promise<ScenarioResult> {
  const outage = short ? 5 : 20;
  const redis = await PrivateRedis.create();
  try {
    const { run, check } = await loadThroughOutage({
      tag: 'r',
      redisUrl: redis.url,
      rate: short ? 100 : 200,
      seconds: outage + (short ? 8 : 15),
      outage,
      down: () => redis.stop(),
      up: () => redis.start(),
    });
    const during = run.timeline.slice(4, 3 + outage).reduce((a, b) => a + (b['200'] ?? 0), 0);
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
    await redis.stop().catch(() => undefined);
  }
}
