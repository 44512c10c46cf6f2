// Install states: sealed with the keyring (AES-256-GCM, so they cannot be forged or read), carrying
// the mode, the flow, an expiry and a random nonce. Issuing one writes nothing — an unauthenticated
// /oauth/install costs no row — and a state is recorded only when it is used, as a SHA-256 hash,
// atomically: a second use, an unknown (forged, altered) or an expired state is refused. Sealed
// under the keyring's primary key; states sealed under a key still in the keyring open too.
import { createHash, randomBytes } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring.ts';
import type { Pool } from '../../db.ts';

export type InstallFlow = 'oauth' | 'platform';
export type StateProblem = 'missing' | 'unknown' | 'expired' | 'replayed';

export const hashState = (state: string) => createHash('sha256').update(state).digest('hex');
const AAD = 'disputedesk:oauth-state:v1';

interface StateBody {
  m: 'test' | 'live';
  f: InstallFlow;
  /** Expiry, Unix seconds. */
  e: number;
  n: string;
}

export function issueState(
  keyring: Keyring,
  input: { livemode: boolean; flow: InstallFlow; ttlSeconds: number },
): string {
  const body: StateBody = {
    m: input.livemode ? 'live' : 'test',
    f: input.flow,
    e: Math.floor(Date.now() / 1000) + input.ttlSeconds,
    n: randomBytes(16).toString('base64url'),
  };
  return keyring.seal(JSON.stringify(body), AAD).ciphertext;
}

function openState(keyring: Keyring, state: string): StateBody | null {
  try {
    const body = JSON.parse(keyring.open(state, AAD)) as StateBody;
    return (body.m === 'test' || body.m === 'live') &&
      (body.f === 'oauth' || body.f === 'platform') &&
      Number.isFinite(body.e)
      ? body
      : null;
  } catch {
    return null; // altered, forged, or sealed with a key no longer in the keyring
  }
}

export async function consumeState(
  deps: { pool: Pool; keyring: Keyring },
  state: string | undefined,
): Promise<
  { ok: true; livemode: boolean; flow: InstallFlow } | { ok: false; problem: StateProblem }
> {
  if (!state) return { ok: false, problem: 'missing' };
  const body = openState(deps.keyring, state);
  if (!body) return { ok: false, problem: 'unknown' };
  if (body.e * 1000 < Date.now()) return { ok: false, problem: 'expired' };
  const { rowCount } = await deps.pool.query(
    `INSERT INTO oauth_states (state_hash, livemode, flow, expires_at, used_at)
     VALUES ($1, $2, $3, to_timestamp($4), now()) ON CONFLICT (state_hash) DO NOTHING`,
    [hashState(state), body.m === 'live', body.f, body.e],
  );
  if (!rowCount) return { ok: false, problem: 'replayed' };
  // Used states only matter until they expire; drop the old ones as new ones are used.
  await deps.pool.query(`DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'`);
  return { ok: true, livemode: body.m === 'live', flow: body.f };
}
