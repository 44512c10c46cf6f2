// Postgres restarted during load (a private cluster): the API answers 503 while it is away
// (Stripe retries those), recovers by itself, and loses nothing it acknowledged.
// `crash`: Postgres dies instead of shutting down (immediate stop: no checkpoint, the WAL still
// in memory gone). Processing commits without waiting for the WAL flush (EVENTS_ASYNC_COMMIT,
// process-event.ts), so the newest processing transactions may be lost with it: their events are
// `received` again after the restart and must be processed again, each once; the webhooks' own
// commits wait for the flush, so nothing acknowledged may be missing.
import pg from 'pg';
import { loadThroughOutage } from '../outage.ts';
import { PrivatePostgres } from '../postgres.ts';
import { sharedRedisUrl, type ScenarioResult } from '../setup.ts';

/**
 * What a crash now would lose: WAL bytes written but not yet on disk, and the events other
 * sessions see processed (an asynchronous commit is visible before its WAL is flushed).
 */
async function look(url: string): Promise<{ unflushed: number; processed: number } | null> {
  const db = new pg.Client({ connectionString: url });
  try {
    await db.connect();
    const { rows } = await db.query<{ unflushed: string; processed: number }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), pg_current_wal_flush_lsn())::text AS unflushed,
              (SELECT count(*)::int FROM raw_events WHERE status <> 'received') AS processed`,
    );
    return { unflushed: Number(rows[0]!.unflushed), processed: rows[0]!.processed };
  } catch {
    return null;
  } finally {
    await db.end().catch(() => undefined);
  }
}

export async function postgresScenario(
  short: boolean,
  mode: 'restart' | 'crash' = 'restart',
): Promise<ScenarioResult> {
  const outage = mode === 'crash' ? 2 : short ? 3 : 10;
  const cluster = await PrivatePostgres.create();
  const seen: {
    before?: Awaited<ReturnType<typeof look>>;
    after?: Awaited<ReturnType<typeof look>>;
  } = {};
  try {
    const { run, check } = await loadThroughOutage({
      tag: mode === 'crash' ? 'q' : 'p',
      adminUrl: cluster.url(),
      redisUrl: sharedRedisUrl,
      rate: short ? 100 : 200,
      seconds: outage + (short ? 8 : 15),
      outage,
      down: async (url) => {
        if (mode === 'restart') return cluster.stop();
        seen.before = await look(url);
        cluster.crash();
      },
      up: async (url) => {
        cluster.start();
        // At once, before the workers reconnect: what the crash took back.
        if (mode === 'crash') seen.after = await look(url);
      },
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
      name: mode === 'crash' ? 'postgres crash' : 'postgres restart',
      problems: check.problems,
      figures: {
        [mode === 'crash' ? 'Postgres crashed, back after' : 'Postgres down']: `${outage} s`,
        ...(mode === 'crash'
          ? {
              'a moment before the crash': seen.before
                ? `${seen.before.processed} events processed, ${seen.before.unflushed} bytes of WAL not yet flushed`
                : '?',
              'right after the restart': seen.after
                ? `${seen.after.processed} events processed (the crash took back ${Math.max(0, (seen.before?.processed ?? 0) - seen.after.processed)}; processed again since)`
                : '?',
            }
          : {}),
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
