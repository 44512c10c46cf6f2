// Where a read goes when a streaming replica is configured (DATABASE_REPLICA_URL): the app's GET
// requests are served by the replica unless that would show the caller something older than
// what it did itself, or the replica cannot be trusted.
//
// A poller compares the primary's WAL position with the replica's replayed one every POLL_MS:
// that is the lag in bytes, and the time since the primary first wrote past what is replayed is
// the lag in seconds. A read goes to the primary instead when
// - the replica does not answer, is not in recovery (promoted: no longer a copy of ours), or lags
//   more than `maxLagMs`;
// - the caller has a write of its own in flight (a merchant's POST being handled), or committed
//   one the replica has not replayed yet (read-your-writes: the write's WAL position is kept in
//   Redis for five minutes, so every API process knows it). Writes and reads name their scopes:
//   the merchant's tenant for the app; for support staff their token and the tenant acted on;
// - anything is uncertain (Redis does not answer).
import type { Pool } from './db.ts';
import type { Logger } from './logger.ts';
import type { Redis } from './redis.ts';
import { within } from './within.ts';

export const POLL_MS = 250;
const WRITE_TTL_SECONDS = 300;
const IN_FLIGHT_TTL_SECONDS = 60;

export type ReadTarget = 'primary' | 'replica';
export type ReadReason =
  'no_replica' | 'replica_down' | 'replica_lagging' | 'own_write' | 'uncertain' | 'replica';

export interface ReplicaStatus {
  configured: boolean;
  up: boolean;
  /** WAL bytes written on the primary and not yet replayed (null until measured). */
  lagBytes: number | null;
  lagSeconds: number | null;
  checkedAt: Date | null;
  error: string | null;
}

export interface ReadChoice {
  pool: Pool;
  target: ReadTarget;
  reason: ReadReason;
}

// Keeps the larger of the stored and the given WAL position (two writes may finish out of order).
const KEEP_MAX = `local cur = redis.call('GET', KEYS[1])
if not cur or tonumber(cur) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1`;

/** A measurement that does not answer in time counts as the replica being down. */
const MEASURE_TIMEOUT_MS = 2000;

const LSN_SQL = (fn: string) => `pg_wal_lsn_diff(${fn}, '0/0')::float8`;

export class ReadRouting {
  private status_: ReplicaStatus;
  private replayed = 0;
  /** The primary's position at each poll, oldest first, to date the oldest unreplayed write. */
  private samples: Array<{ lsn: number; at: number }> = [];
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      primary: Pool;
      replica: Pool | null;
      redis: Redis;
      redisPrefix: string;
      maxLagMs: number;
      logger: Logger;
      pollMs?: number;
      onRead?: (choice: ReadChoice) => void;
    },
  ) {
    this.status_ = {
      configured: deps.replica !== null,
      up: false,
      lagBytes: null,
      lagSeconds: null,
      checkedAt: null,
      error: deps.replica ? 'not measured yet' : null,
    };
  }

  /** Starts measuring the lag; the first measurement is done when this resolves. */
  async start(): Promise<void> {
    if (!this.deps.replica || this.timer) return;
    await this.poll(); // bounded: a replica that does not answer is marked down
    this.timer = setInterval(() => void this.poll(), this.deps.pollMs ?? POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  status(): ReplicaStatus {
    return { ...this.status_ };
  }

  /** Where a read goes now, for a caller whose own writes are under `scopes`. */
  async choose(scopes: readonly string[]): Promise<ReadChoice> {
    const choice = await this.decide(scopes);
    this.deps.onRead?.(choice);
    return choice;
  }

  /** Before a write is handled: reads under its scopes go to the primary until it is replayed. */
  async beginWrite(scopes: readonly string[]): Promise<void> {
    if (!this.deps.replica) return;
    await Promise.all(
      scopes.map((scope) => {
        const key = this.key(scope, 'in-flight');
        return this.deps.redis
          .multi()
          .incr(key)
          .expire(key, IN_FLIGHT_TTL_SECONDS)
          .exec()
          .catch((err: unknown) => this.deps.logger.debug({ err }, 'could not mark a write'));
      }),
    );
  }

  /** After the write's response: remembers the primary's position it must be read at. */
  async endWrite(scopes: readonly string[]): Promise<void> {
    if (!this.deps.replica) return;
    try {
      const { rows } = await this.deps.primary.query<{ lsn: number }>(
        `SELECT ${LSN_SQL('pg_current_wal_lsn()')} AS lsn`,
      );
      for (const scope of scopes)
        await this.deps.redis.eval(
          KEEP_MAX,
          1,
          this.key(scope, 'written'),
          String(rows[0]!.lsn),
          String(WRITE_TTL_SECONDS),
        );
    } catch (err) {
      this.deps.logger.warn({ err, scopes }, 'could not record a write position');
    } finally {
      for (const scope of scopes)
        await this.deps.redis
          .decr(this.key(scope, 'in-flight'))
          .catch((err: unknown) => this.deps.logger.debug({ err }, 'could not unmark a write'));
    }
  }

  private async decide(scopes: readonly string[]): Promise<ReadChoice> {
    const { primary, replica } = this.deps;
    const to = (target: ReadTarget, reason: ReadReason): ReadChoice => ({
      pool: target === 'replica' && replica ? replica : primary,
      target,
      reason,
    });
    if (!replica) return to('primary', 'no_replica');
    if (!this.status_.up) return to('primary', 'replica_down');
    if ((this.status_.lagSeconds ?? 0) * 1000 > this.deps.maxLagMs)
      return to('primary', 'replica_lagging');
    try {
      const marks = await Promise.all(
        scopes.flatMap((scope) => [
          this.deps.redis.get(this.key(scope, 'in-flight')),
          this.deps.redis.get(this.key(scope, 'written')),
        ]),
      );
      for (let i = 0; i < marks.length; i += 2) {
        const [inFlight, written] = [marks[i], marks[i + 1]];
        if (Number(inFlight ?? 0) > 0) return to('primary', 'own_write');
        if (written != null && Number(written) > this.replayed) return to('primary', 'own_write');
      }
    } catch {
      return to('primary', 'uncertain');
    }
    return to('replica', 'replica');
  }

  private key(scope: string, what: 'in-flight' | 'written') {
    return `${this.deps.redisPrefix}:reads:${scope}:${what}`;
  }

  private poll(): Promise<void> {
    this.polling ??= this.measure().finally(() => (this.polling = null));
    return this.polling;
  }

  private async measure(): Promise<void> {
    const replica = this.deps.replica!;
    const at = Date.now();
    try {
      const { rows: p } = await within(
        this.deps.primary.query<{ lsn: number }>(
          `SELECT ${LSN_SQL('pg_current_wal_lsn()')} AS lsn`,
        ),
        MEASURE_TIMEOUT_MS,
      );
      this.samples.push({ lsn: p[0]!.lsn, at });
      const { rows: r } = await within(
        replica.query<{ recovering: boolean; replayed: number | null }>(
          `SELECT pg_is_in_recovery() AS recovering, ${LSN_SQL('pg_last_wal_replay_lsn()')} AS replayed`,
        ),
        MEASURE_TIMEOUT_MS,
      );
      const { recovering, replayed } = r[0]!;
      if (!recovering || replayed === null) {
        throw new Error('the replica is not in recovery (promoted, or not a replica)');
      }
      this.replayed = replayed;
      // Forget the positions already replayed, but the newest (the current one).
      while (this.samples.length > 1 && this.samples[0]!.lsn <= replayed) this.samples.shift();
      if (this.samples.length > 10_000) this.samples.splice(0, this.samples.length - 10_000);
      const behind = this.samples.find((s) => s.lsn > replayed);
      const wasUp = this.status_.up;
      this.status_ = {
        configured: true,
        up: true,
        lagBytes: Math.max(0, p[0]!.lsn - replayed),
        lagSeconds: behind ? (Date.now() - behind.at) / 1000 : 0,
        checkedAt: new Date(),
        error: null,
      };
      if (!wasUp) this.deps.logger.info('read replica in use');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.status_.up || this.status_.error !== message)
        this.deps.logger.warn({ err: message }, 'read replica not usable: reads go to the primary');
      this.status_ = { ...this.status_, up: false, checkedAt: new Date(), error: message };
    }
  }
}
