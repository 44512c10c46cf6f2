// The Stripe emulator for server tests: started in this process on its own port, reached over
// HTTP like Stripe, with the settings and keys the stack needs to use it.
import { createServer } from 'node:net';
import Stripe from 'stripe';
import { DEFAULT_KEYS, startEmulator, type Emulator } from '@disputedesk/stripe-emulator';
import { afterAll, beforeAll } from 'vitest';
import {
  requestBinding,
  signedTexts,
  type RequestBinding,
} from '../../src/app-api/request-binding.ts';
import { signatureHeader } from '../../src/webhooks/verify-signature.ts';

export { DEFAULT_KEYS };
export const APP_SECRETS = ['absec_test_current_secret_0001', 'absec_test_previous_secret_002'];
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdef';

/** A port nobody listens on right now (the API must know its public URL before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export function useEmulator() {
  const env = {} as {
    emulator: Emulator;
    apiPort: number;
    apiUrl: string;
    connectSecret: string;
    /** The managed sandbox's Connect endpoint secret (users' sandbox installs). */
    sandboxConnectSecret: string;
  };
  beforeAll(async () => {
    env.emulator = await startEmulator({ port: 0, rateLimit: false });
    env.emulator.state.settings.retryDelaysMs = [50, 100, 200];
    env.apiPort = await freePort();
    env.apiUrl = `http://127.0.0.1:${env.apiPort}`;
    // The platform (and the app's managed sandbox, for installs in users' sandboxes) sends
    // connected accounts' events to the API's Connect endpoint.
    const endpoint = async (key: string) => {
      const res = await fetch(`${env.emulator.url}/v1/webhook_endpoints`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          url: `${env.apiUrl}/webhooks/stripe/connect`,
          connect: 'true',
          'enabled_events[]': '*',
        }).toString(),
      });
      return ((await res.json()) as { secret: string }).secret;
    };
    env.connectSecret = await endpoint(DEFAULT_KEYS.test);
    env.sandboxConnectSecret = await endpoint(DEFAULT_KEYS.sandbox);
  });
  afterAll(async () => {
    await env.emulator?.stop();
  });
  return env;
}

/** Stack settings that point the API at the emulator. */
export function emulatorEnv(e: ReturnType<typeof useEmulator>, extra: Record<string, string> = {}) {
  return {
    PORT: String(e.apiPort),
    PUBLIC_BASE_URL: e.apiUrl,
    STRIPE_API_BASE: e.emulator.url,
    STRIPE_SECRET_KEY_TEST: DEFAULT_KEYS.test,
    STRIPE_SECRET_KEY_LIVE: DEFAULT_KEYS.live,
    STRIPE_SECRET_KEY_SANDBOX: DEFAULT_KEYS.sandbox,
    STRIPE_OAUTH_CLIENT_ID: e.emulator.state.oauth.clientId,
    STRIPE_OAUTH_AUTHORIZE_URL: `${e.emulator.url}/oauth/authorize`,
    STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(','),
    STRIPE_MAX_NETWORK_RETRIES: '0',
    ADMIN_API_TOKENS: ADMIN_TOKEN,
    STRIPE_CONNECT_WEBHOOK_SECRETS: `whsec_test_connect_current_0001,${e.connectSecret},${e.sandboxConnectSecret}`,
    ...extra,
  };
}

/**
 * The header the Stripe App's fetchStripeSignature(binding) produces for a user and account and
 * one request (method, path with query, mode, body). Without `binding`: the identity alone, as
 * an old or forged client would sign — which the backend refuses.
 */
export function appSignature(
  userId: string,
  accountId: string,
  opts: { secret?: string; timestamp?: number; binding?: RequestBinding } = {},
) {
  return signatureHeader(
    opts.secret ?? APP_SECRETS[0]!,
    opts.binding
      ? signedTexts(userId, accountId, opts.binding)[0]!
      : JSON.stringify({ user_id: userId, account_id: accountId }),
    opts.timestamp,
  );
}

/** Headers of a signed app request to `url` (path and query as sent) with `body` ('' for GET). */
export async function signedAppHeaders(
  method: string,
  url: URL,
  ids: { user: string; account: string; mode?: 'test' | 'live' },
  body = '',
): Promise<Record<string, string>> {
  const binding = await requestBinding(
    method,
    `${url.pathname}${url.search}`,
    ids.mode ?? 'test',
    body,
  );
  return { 'stripe-signature': appSignature(ids.user, ids.account, { binding }) };
}

/** Every permission DisputeDesk probes for a restricted key (report runs and webhooks write). */
export const FULL_KEY_PERMISSIONS: Record<string, string> = {
  ...Object.fromEntries(
    [
      'dispute',
      'charge',
      'payment_intent',
      'customer',
      'refund',
      'payout',
      'balance',
      'balance_transaction_source',
      'radar_early_fraud_warning',
      'event',
      'report_type',
      'file',
      'invoice',
      'subscription',
      'checkout_session',
      'product',
      'plan',
    ].map((r) => [r, 'read']),
  ),
  report_run: 'write',
  webhook: 'write',
};

/** A new connected account on the emulator and a restricted key for it. */
export async function restrictedKeyMerchant(
  e: ReturnType<typeof useEmulator>,
  permissions: Record<string, string> = FULL_KEY_PERMISSIONS,
) {
  const control = async <T>(p: string, body: unknown) =>
    (await (
      await fetch(`${e.emulator.url}/_emulator/${p}`, {
        method: 'POST',
        body: JSON.stringify(body),
      })
    ).json()) as T;
  const { id: account } = await control<{ id: string }>('accounts', {});
  const { key } = await control<{ key: string }>('keys', { account, permissions });
  return { account, key };
}

/** stripe-node as the platform, against the emulator (act for an account with `stripeAccount`). */
export function platformClient(e: ReturnType<typeof useEmulator>): Stripe {
  return new Stripe(DEFAULT_KEYS.test, {
    host: '127.0.0.1',
    port: e.emulator.port,
    protocol: 'http',
  });
}

/**
 * A merchant connected with a restricted key (through the admin API, as support does it): its
 * account, tenant id, and a Dashboard user for signed app requests.
 */
export async function connectedKeyMerchant(
  e: ReturnType<typeof useEmulator>,
  apiUrl: string,
  permissions: Record<string, string> = FULL_KEY_PERMISSIONS,
) {
  const { account, key } = await restrictedKeyMerchant(e, permissions);
  const res = await fetch(`${apiUrl}/admin/v1/connections/api-key`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: key }),
  });
  if (res.status !== 201)
    throw new Error(`connecting the key answered ${res.status}: ${await res.text()}`);
  const { tenantId } = (await res.json()) as { tenantId: string };
  return {
    account,
    tenantId,
    who: { user: `usr_${Math.random().toString(36).slice(2, 12)}`, account },
  };
}

/**
 * True once every event Stripe made for the account is delivered (`pending_webhooks` 0) and the
 * tenant has no stored event left unprocessed: the rows are as final as the account's history.
 */
export async function accountSettled(
  stripe: Stripe,
  account: string,
  pool: { query: (sql: string, values: unknown[]) => Promise<{ rowCount: number | null }> },
  tenantId: string,
): Promise<boolean> {
  const events = await stripe.events
    .list({ limit: 100 }, { stripeAccount: account })
    .autoPagingToArray({ limit: 2000 });
  if (events.some((e) => e.pending_webhooks > 0)) return false;
  const open = await pool.query(
    "SELECT 1 FROM raw_events WHERE tenant_id = $1 AND status = 'received' LIMIT 1",
    [tenantId],
  );
  return open.rowCount === 0;
}
