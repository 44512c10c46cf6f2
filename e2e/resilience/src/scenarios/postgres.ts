// Postgres restarted during load (a private cluster): the API answers 503 while it is away
// (Stripe retries those), recovers by itself, and loses nothing it acknowledged.
import { loadThroughOutage } from '../outage.ts';
import { PrivatePostgres } from '../postgres.ts';
import { sharedRedisUrl, type ScenarioResult } from '../setup.ts';

export async function postgresScenario(short: boolean): Promise<ScenarioResult> {
  const outage = short ? 3 : 10;
  const cluster = await PrivatePostgres.create();
  try {
    const { run, check } = await loadThroughOutage({
      tag: 'p',
      adminUrl: cluster.url(),
      redisUrl: sharedRedisUrl,
      rate: short ? 100 : 200,
      seconds: outage + (short ? 8 : 15),
      outage,
      down: () => cluster.stop(),
      up: () => cluster.start(),
    });
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
    cluster.destroy();
  }
}
