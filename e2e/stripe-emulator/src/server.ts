// The emulator's HTTP server: authenticates like Stripe (Bearer secret key, optional
// Stripe-Account), decodes form bodies the way stripe-node encodes them, and answers in
// Stripe's JSON shapes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import type { RequestContext } from './context.ts';
import { StripeApiError } from './errors.ts';
import { accountRoutes } from './resources/accounts.ts';
import { chargeRoutes } from './resources/charges.ts';
import { customerRoutes } from './resources/customers.ts';
import { disputeRoutes } from './resources/disputes.ts';
import { eventRoutes } from './resources/events.ts';
import { paymentIntentRoutes } from './resources/payment-intents.ts';
import { webhookEndpointRoutes } from './resources/webhook-endpoints.ts';
import { balanceRoutes } from './resources/balance.ts';
import { fileRoutes, RawBody } from './resources/files.ts';
import { paymentMethodRoutes } from './resources/payment-methods.ts';
import { payoutRoutes } from './resources/payouts.ts';
import { refundRoutes } from './resources/refunds.ts';
import { reportingRoutes } from './resources/reporting.ts';
import { invoiceRoutes } from './resources/invoices.ts';
import { setupIntentRoutes } from './resources/setup-intents.ts';
import { Router } from './router.ts';
import { EmulatorState, newId } from './state.ts';
import { WebhookDispatcher } from './webhooks.ts';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** Secret keys of the platform account; created if absent. */
  platformKeys?: { test: string; live: string };
  /** Called once per API request with its outcome (the `--log` flag of `npm run emulator`). */
  onRequest?: (line: {
    method: string;
    path: string;
    status: number;
    account: string | null;
  }) => void;
}

export interface Emulator {
  url: string;
  port: number;
  state: EmulatorState;
  platformAccountId: string;
  /** Every webhook delivery attempt, in order. */
  deliveries: WebhookDispatcher['log'];
  stop(): Promise<void>;
}

export const DEFAULT_KEYS = {
  test: 'sk_test_emulator_platform_key',
  live: 'sk_live_emulator_platform_key',
};

const mask = (key: string) =>
  `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

function authenticate(state: EmulatorState, req: http.IncomingMessage) {
  const header = req.headers.authorization ?? '';
  const key = header.startsWith('Bearer ')
    ? header.slice(7).trim()
    : header.startsWith('Basic ')
      ? Buffer.from(header.slice(6), 'base64').toString().split(':')[0]!
      : '';
  if (!key) {
    throw new StripeApiError(
      401,
      'invalid_request_error',
      'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.',
    );
  }
  const found = state.keys.get(key);
  if (!found)
    throw new StripeApiError(
      401,
      'invalid_request_error',
      `Invalid API Key provided: ${mask(key)}`,
    );
  let account = state.accounts.get(found.account)!;
  const target = req.headers['stripe-account'];
  let connected = false;
  if (typeof target === 'string' && target !== account.id) {
    const other = state.accounts.get(target);
    if (!other || other.platform !== account.id) {
      throw new StripeApiError(
        403,
        'invalid_request_error',
        `The provided key '${mask(key)}' does not have access to account '${target}' (or that account does not exist). Application access may have been revoked.`,
        'account_invalid',
      );
    }
    account = other;
    connected = true;
  }
  return { account, livemode: found.livemode, connected };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState();
  const platform = state.createAccount(null);
  const keys = options.platformKeys ?? DEFAULT_KEYS;
  state.addKey(keys.test, platform.id, false);
  state.addKey(keys.live, platform.id, true);
  const router = new Router()
    .add(accountRoutes)
    .add(customerRoutes)
    .add(paymentMethodRoutes)
    .add(paymentIntentRoutes)
    .add(setupIntentRoutes)
    .add(invoiceRoutes)
    .add(chargeRoutes)
    .add(refundRoutes)
    .add(payoutRoutes)
    .add(balanceRoutes)
    .add(reportingRoutes)
    .add(fileRoutes)
    .add(disputeRoutes)
    .add(webhookEndpointRoutes)
    .add(eventRoutes);
  const webhooks = new WebhookDispatcher(state);
  state.onEvent = (event, account) => webhooks.dispatch(event, account);

  const server = http.createServer((req, res) => {
    const requestId = newId('req', 14);
    let actingAccount: string | null = null;
    const send = (status: number, body: unknown) => {
      options.onRequest?.({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status,
        account: actingAccount,
      });
      if (body instanceof RawBody) {
        res.writeHead(status, {
          'content-type': body.contentType,
          'content-length': body.body.length,
          'request-id': requestId,
        });
        res.end(body.body);
        return;
      }
      const json = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
        'request-id': requestId,
      });
      res.end(json);
    };
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://emulator');
        // The emulator's own control routes (not Stripe's): loopback only, no key.
        if (url.pathname === '/_emulator/deliveries') {
          const event = url.searchParams.get('event');
          send(200, { data: webhooks.log.filter((d) => !event || d.eventId === event) });
          return;
        }
        const auth = authenticate(state, req);
        actingAccount = auth.account.id;
        const body = req.method === 'POST' ? await readBody(req) : '';
        const params = { ...qs.parse(url.search.slice(1)), ...qs.parse(body) } as Record<
          string,
          unknown
        >;
        const match = router.match(req.method ?? 'GET', url.pathname);
        if (!('route' in match)) {
          throw new StripeApiError(
            404,
            'invalid_request_error',
            `Unrecognized request URL (${req.method} ${url.pathname}).`,
            match.pathExists ? 'method_not_allowed' : undefined,
          );
        }
        const ctx: RequestContext = {
          state,
          ...auth,
          params,
          path: url.pathname,
          requestId,
          idempotencyKey:
            typeof req.headers['idempotency-key'] === 'string'
              ? req.headers['idempotency-key']
              : null,
        };
        send(200, match.route.handle(ctx, match.params));
      } catch (err) {
        if (err instanceof StripeApiError) send(err.status, err);
        else
          send(
            500,
            new StripeApiError(500, 'api_error', `The emulator failed: ${(err as Error).message}`),
          );
      }
    })();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 12111, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  state.baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    state,
    platformAccountId: platform.id,
    deliveries: webhooks.log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
