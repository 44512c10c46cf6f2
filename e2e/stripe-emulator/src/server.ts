// The emulator's HTTP server: authenticates like Stripe (Bearer secret key, optional
// Stripe-Account), decodes form bodies the way stripe-node encodes them, and answers in
// Stripe's JSON shapes.
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import type { RequestContext } from './context.ts';
import { StripeApiError } from './errors.ts';
import { appGrant, manifestPermissions } from './app-permissions.ts';
import { authenticate } from './auth.ts';
import { ControlApi } from './control.ts';
import { injectedFailure, rateLimited } from './faults.ts';
import { idempotent } from './idempotency.ts';
import { OAuthPages, oauthRoutes } from './oauth.ts';
import { checkPermission } from './permissions.ts';
import { earlyFraudWarningRoutes } from './resources/early-fraud-warnings.ts';
import { accountRoutes } from './resources/accounts.ts';
import { chargeRoutes } from './resources/charges.ts';
import { customerRoutes } from './resources/customers.ts';
import { disputeRoutes } from './resources/disputes.ts';
import { eventRoutes } from './resources/events.ts';
import { paymentIntentRoutes } from './resources/payment-intents.ts';
import { webhookEndpointRoutes } from './resources/webhook-endpoints.ts';
import { balanceRoutes } from './resources/balance.ts';
import { fileRoutes, RawBody } from './resources/files.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import { paymentMethodRoutes } from './resources/payment-methods.ts';
import { payoutRoutes } from './resources/payouts.ts';
import { refundRoutes } from './resources/refunds.ts';
import { reportingRoutes } from './resources/reporting.ts';
import { invoiceRoutes } from './resources/invoices.ts';
import { setupIntentRoutes } from './resources/setup-intents.ts';
import { catalogRoutes } from './resources/catalog.ts';
import { promotionRoutes } from './resources/promotions.ts';
import { sourceRoutes } from './resources/sources.ts';
import { subscriptionRoutes } from './resources/subscriptions.ts';
import { testClockRoutes } from './resources/test-clocks.ts';
import { checkoutRoutes } from './resources/checkout.ts';
import { creditNoteRoutes } from './resources/credit-notes.ts';
import { quoteRoutes } from './resources/quotes.ts';
import { subscriptionScheduleRoutes } from './resources/subscription-schedules.ts';
import { Router } from './router.ts';
import { EmulatorState, newId } from './state.ts';
import { WebhookDispatcher } from './webhooks.ts';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** Secret keys of the platform account; created if absent. */
  platformKeys?: { test: string; live: string };
  /** Stripe's rate limits (on by default: 25/s test, 100/s live per account). */
  rateLimit?: boolean;
  /**
   * The Stripe App manifest whose permissions OAuth access tokens get (default: the repository's
   * stripe-app.json when present); null: OAuth tokens may do everything.
   */
  appManifest?: string | null;
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
  /** The app's managed sandbox account (DEFAULT_KEYS.sandbox). */
  sandboxPlatformAccountId: string;
  /** Every webhook delivery attempt, in order. */
  deliveries: WebhookDispatcher['log'];
  stop(): Promise<void>;
}

/** stripe-node sends arrays as a[0]=…&a[1]=…; Stripe takes long lists (qs stops at 20 by default). */
const QS = { arrayLimit: 1000, depth: 10, parameterLimit: 10_000 };

export const DEFAULT_KEYS = {
  test: 'sk_test_emulator_platform_key',
  live: 'sk_live_emulator_platform_key',
  /** The app's managed sandbox (Stripe creates one per public app): sandbox installs' platform. */
  sandbox: 'sk_test_emulator_managed_sandbox_key',
};

async function readBytes(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState();
  if (options.rateLimit === false) state.faults.rateLimit.enabled = false;
  const platform = state.createAccount(null);
  const keys = options.platformKeys ?? DEFAULT_KEYS;
  state.addKey(keys.test, platform.id, false);
  state.addKey(keys.live, platform.id, true);
  // The managed sandbox: its own account and test key, through which users' sandbox installs run.
  const sandbox = state.createAccount(null);
  state.addKey(DEFAULT_KEYS.sandbox, sandbox.id, false);
  state.oauth.sandboxPlatform = sandbox.id;
  const manifest =
    options.appManifest === undefined
      ? fileURLToPath(new URL('../../../stripe-app.json', import.meta.url))
      : options.appManifest;
  const appPermissions = manifest ? manifestPermissions(manifest) : null;
  if (appPermissions) state.oauth.grant = appGrant(appPermissions);
  const router = new Router()
    .add(accountRoutes)
    .add(customerRoutes)
    .add(sourceRoutes)
    .add(catalogRoutes)
    .add(promotionRoutes)
    .add(subscriptionRoutes)
    .add(testClockRoutes)
    .add(checkoutRoutes)
    .add(creditNoteRoutes)
    .add(quoteRoutes)
    .add(subscriptionScheduleRoutes)
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
    .add(earlyFraudWarningRoutes)
    .add(oauthRoutes)
    .add(eventRoutes);
  const webhooks = new WebhookDispatcher(state);
  state.onEvent = (event, account) => webhooks.dispatch(event, account);
  const control = new ControlApi(state, webhooks, platform.id);
  const oauthPages = new OAuthPages(state, platform.id);

  const server = http.createServer((req, res) => {
    const requestId = newId('req', 14);
    let actingAccount: string | null = null;
    const send = (status: number, body: unknown, extraHeaders: Record<string, string> = {}) => {
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
        ...extraHeaders,
      });
      res.end(json);
    };
    void (async () => {
      let status = 200;
      let body: unknown;
      let headers: Record<string, string> = {};
      try {
        const url = new URL(req.url ?? '/', 'http://emulator');
        // connect.stripe.com's paths, served here too.
        if (url.pathname === '/oauth/token' || url.pathname === '/oauth/deauthorize') {
          url.pathname = `/v1${url.pathname}`;
        }
        if (url.pathname.startsWith('/_emulator/')) {
          const raw = req.method === 'GET' ? '' : await readBody(req);
          send(200, control.handle(req.method ?? 'GET', url, raw));
          return;
        }
        if (url.pathname.startsWith('/oauth/')) {
          const raw = req.method === 'POST' ? await readBody(req) : '';
          const page = oauthPages.handle(req.method ?? 'GET', url, raw);
          res.writeHead(page.status, page.headers);
          res.end(page.body);
          return;
        }
        state.stats.requests++;
        const auth = authenticate(state, req);
        actingAccount = auth.account.id;
        const faults = state.faults;
        if (
          faults.rateLimit.enabled &&
          !state.limiter.take(
            `${auth.account.id}:${auth.livemode ? 'live' : 'test'}`,
            auth.livemode ? faults.rateLimit.live : faults.rateLimit.test,
          )
        ) {
          state.stats.rateLimited++;
          throw rateLimited();
        }
        if (faults.failNext > 0) {
          faults.failNext--;
          throw injectedFailure();
        }
        if (faults.errorRate > 0 && Math.random() < faults.errorRate) throw injectedFailure();
        const boundary = req.method === 'POST' ? boundaryOf(req.headers['content-type']) : null;
        const bytes = req.method === 'POST' ? await readBytes(req) : Buffer.alloc(0);
        // Uploads are multipart (files kept as bytes); everything else is form-encoded.
        const rawBody = boundary ? `multipart:${bytes.length}` : bytes.toString('utf8');
        const params = {
          ...qs.parse(url.search.slice(1), QS),
          ...(boundary ? parseMultipart(bytes, boundary) : qs.parse(rawBody, QS)),
        } as Record<string, unknown>;
        const match = router.match(req.method ?? 'GET', url.pathname);
        if (!('route' in match)) {
          throw new StripeApiError(
            404,
            'invalid_request_error',
            `Unrecognized request URL (${req.method} ${url.pathname}).`,
            match.pathExists ? 'method_not_allowed' : undefined,
          );
        }
        if (auth.key.permissions) {
          checkPermission(
            auth.key.permissions,
            req.method ?? 'GET',
            url.pathname,
            auth.key.key,
            auth.account.id,
            auth.key.app,
          );
        }
        const idempotencyKey =
          typeof req.headers['idempotency-key'] === 'string'
            ? req.headers['idempotency-key']
            : null;
        const ctx: RequestContext = {
          state,
          account: auth.account,
          livemode: auth.livemode,
          connected: auth.connected,
          params,
          path: url.pathname,
          requestId,
          idempotencyKey,
        };
        const replay =
          idempotencyKey && req.method === 'POST'
            ? idempotent(
                state,
                `${auth.account.id}:${idempotencyKey}`,
                `${url.pathname} ${rawBody}`,
              )
            : null;
        if (replay?.answer) {
          status = replay.answer.status;
          body = replay.answer.body;
          headers = { 'idempotent-replayed': 'true' };
        } else {
          try {
            body = match.route.handle(ctx, match.params);
          } catch (err) {
            if (!(err instanceof StripeApiError) || err.status >= 500) throw err;
            status = err.status;
            body = err;
            headers = err.headers;
          }
          replay?.remember(status, body);
        }
      } catch (err) {
        if (err instanceof StripeApiError) {
          status = err.status;
          body = err;
          headers = err.headers;
        } else {
          status = 500;
          body = new StripeApiError(
            500,
            'api_error',
            `The emulator failed: ${(err as Error).message}`,
          );
        }
      }
      if (state.faults.latencyMs > 0)
        await new Promise((r) => setTimeout(r, state.faults.latencyMs));
      send(status, body, headers);
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
    sandboxPlatformAccountId: sandbox.id,
    deliveries: webhooks.log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
