// One signed POST of a notification body to a destination. The socket's DNS lookup is the address
// guard (address-guard.ts): it resolves once, refuses internal addresses, and the connection goes
// to exactly the address it checked — at every delivery and every test, since DNS can change. No
// redirects, a timeout. 2xx is success; anything else comes back as a short reason that names no
// address, never thrown.
import { Agent, request } from 'undici';
import type { Keyring } from '../crypto/keyring.ts';
import type { PrismaClient } from '../db.ts';
import {
  checkDestinationUrl,
  DestinationRefused,
  guardedLookup,
  type ResolveHost,
} from './address-guard.ts';
import { signingSecrets } from './destinations.ts';
import { signatureHeaders } from './sign.ts';

export interface PostDeps {
  prisma: PrismaClient;
  keyring: Keyring;
  settings: { timeoutMs: number; allowPrivateAddresses: boolean };
  /** Host resolution (system DNS by default); tests pass their own. */
  resolveHost?: ResolveHost;
}

export interface PostResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  /** True when the guard refused the destination: nothing was sent. */
  refused: boolean;
}

// One connection pool per guard setting and resolver (keep-alive across deliveries); every new
// socket goes through the guarded lookup.
const agents = new WeakMap<object, Map<boolean, Agent>>();
const SYSTEM = {};

function agentFor(allowPrivate: boolean, resolve: ResolveHost | undefined): Agent {
  const key = resolve ?? SYSTEM;
  let byMode = agents.get(key);
  if (!byMode) agents.set(key, (byMode = new Map<boolean, Agent>()));
  let agent = byMode.get(allowPrivate);
  if (!agent) {
    agent = new Agent({
      connect: { lookup: guardedLookup(allowPrivate, resolve) },
      keepAliveTimeout: 10_000,
    });
    byMode.set(allowPrivate, agent);
  }
  return agent;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A reason for the merchant that carries no address, port or stack. */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT')
    return `no answer within ${timeoutMs} ms`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host does not resolve';
  if (CONNECT_CODES.has(code)) return `the connection failed (${code})`;
  if (/^ERR_TLS|CERT|SSL/.test(code)) return 'the TLS handshake failed';
  return 'the request failed';
}

export async function postNotification(
  deps: PostDeps,
  target: { url: string; tenantId: string; destinationId: string },
  body: string,
): Promise<PostResult> {
  const allowPrivate = deps.settings.allowPrivateAddresses;
  try {
    const url = checkDestinationUrl(target.url, allowPrivate);
    const secrets = await signingSecrets(deps, target.tenantId, target.destinationId);
    const res = await request(url, {
      method: 'POST',
      body,
      dispatcher: agentFor(allowPrivate, deps.resolveHost),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'DisputeDesk-Notifications/1',
        ...signatureHeaders(secrets, body),
      },
      signal: AbortSignal.timeout(deps.settings.timeoutMs),
      headersTimeout: deps.settings.timeoutMs,
      bodyTimeout: deps.settings.timeoutMs,
    });
    await res.body.dump().catch(() => undefined);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return {
      ok,
      httpStatus: res.statusCode,
      error: ok ? null : `answered ${res.statusCode}`,
      refused: false,
    };
  } catch (err) {
    const refused = err instanceof DestinationRefused || hasRefusedCause(err);
    return {
      ok: false,
      httpStatus: null,
      error: refused ? refusedMessage(err) : describe(err, deps.settings.timeoutMs),
      refused,
    };
  }
}

function hasRefusedCause(err: unknown): boolean {
  let e = err as { cause?: unknown } | undefined;
  for (let i = 0; e && i < 5; i++, e = e.cause as { cause?: unknown } | undefined)
    if (e instanceof DestinationRefused) return true;
  return false;
}

function refusedMessage(err: unknown): string {
  let e = err as { cause?: unknown } | undefined;
  for (let i = 0; e && i < 5; i++, e = e.cause as { cause?: unknown } | undefined)
    if (e instanceof DestinationRefused) return `refused: ${e.message}`;
  return 'refused';
}
