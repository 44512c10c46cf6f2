// Install states: 32 random bytes, bound to a mode and a flow, stored as a SHA-256 hash with an
// expiry, and consumed atomically — a second use, an unknown or an expired state is refused.
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '../db.ts';

export type InstallFlow = 'oauth' | 'platform';
export type StateProblem = 'missing' | 'unknown' | 'expired' | 'replayed';

export const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

export async function issueState(
  pool: Pool,
  input: { livemode: boolean; flow: InstallFlow; ttlSeconds: number },
): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  await pool.query(
    `INSERT INTO oauth_states (state_hash, livemode, flow, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [hashState(state), input.livemode, input.flow, input.ttlSeconds],
  );
  // Old states are useless; drop them as new ones are made.
  await pool.query(`DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'`);
  return state;
}

export async function consumeState(
  pool: Pool,
  state: string | undefined,
): Promise<
  { ok: true; livemode: boolean; flow: InstallFlow } | { ok: false; problem: StateProblem }
> {
  if (!state) return { ok: false, problem: 'missing' };
  const { rows } = await pool.query<{ livemode: boolean; flow: InstallFlow; expired: boolean }>(
    `UPDATE oauth_states SET used_at = now()
     WHERE state_hash = $1 AND used_at IS NULL
     RETURNING livemode, flow, expires_at < now() AS expired`,
    [hashState(state)],
  );
  const row = rows[0];
  if (row)
    return row.expired
      ? { ok: false, problem: 'expired' }
      : { ok: true, livemode: row.livemode, flow: row.flow };
  const seen = await pool.query('SELECT 1 FROM oauth_states WHERE state_hash = $1', [
    hashState(state),
  ]);
  return { ok: false, problem: seen.rowCount ? 'replayed' : 'unknown' };
}
