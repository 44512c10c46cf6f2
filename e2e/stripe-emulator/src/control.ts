// The emulator's own control API under /_emulator/ (JSON, no key; the emulator listens on
// loopback only): accounts and keys for tests, fault knobs, timing settings, the webhook
// delivery log, and the data generator.
import { StripeApiError } from './errors.ts';
import { defaultFaults, type Faults } from './faults.ts';
import { PERMISSION_RESOURCES, type Permissions } from './permissions.ts';
import { deauthorize } from './oauth.ts';
import type { RequestContext } from './context.ts';
import { createDispute } from './resources/disputes.ts';
import { seedAccounts, type SeedOptions } from './seed.ts';
import { newId, type EmulatorSettings, type EmulatorState } from './state.ts';
import type { WebhookDispatcher } from './webhooks.ts';

const bad = (message: string) => new StripeApiError(400, 'invalid_request_error', message);

function parse(raw: string): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw bad('The control API takes a JSON object body.');
}

function merge<T extends object>(target: T, patch: Record<string, unknown>, what: string) {
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in target)) throw bad(`Unknown ${what}: ${k}`);
    const current = (target as Record<string, unknown>)[k];
    if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      merge(current, v as Record<string, unknown>, `${what} ${k}`);
    } else if (typeof current !== typeof v || (Array.isArray(current) && !Array.isArray(v))) {
      throw bad(`${what} ${k} must be a ${Array.isArray(current) ? 'list' : typeof current}`);
    } else {
      (target as Record<string, unknown>)[k] = v;
    }
  }
}

const SEED_NUMBERS = [
  'accounts',
  'charges',
  'disputeRate',
  'refundRate',
  'from',
  'to',
  'end',
  'seed',
  'subscriptionShare',
];

function seedOptions(body: Record<string, unknown>): SeedOptions {
  for (const [k, v] of Object.entries(body)) {
    if (k === 'account') {
      if (typeof v !== 'string') throw bad('account must be an account id');
    } else if (!SEED_NUMBERS.includes(k)) throw bad(`Unknown seed option: ${k}`);
    else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw bad(`${k} must be a non-negative number`);
    }
  }
  if (typeof body.account === 'string' && !body.account.startsWith('acct_'))
    throw bad('account must be an account id');
  return body;
}

export class ControlApi {
  constructor(
    private state: EmulatorState,
    private webhooks: WebhookDispatcher,
    private platformId: string,
  ) {}

  private settings() {
    return {
      ...this.state.settings,
      oauthAccessTokenTtlSeconds: this.state.oauth.accessTokenTtlSeconds,
    };
  }

  handle(method: string, url: URL, raw: string): unknown {
    const route = `${method} ${url.pathname.replace(/^\/_emulator/, '')}`;
    const body = method === 'GET' ? {} : parse(raw);
    const state = this.state;
    switch (route) {
      case 'GET /info':
        return {
          platform_account: this.platformId,
          keys: [...state.keys.values()]
            .filter((k) => k.account === this.platformId && !k.permissions)
            .map((k) => ({ key: k.key, livemode: k.livemode })),
          oauth_client_id: state.oauth.clientId,
          authorize_url: `${state.baseUrl}/oauth/authorize`,
          permission_resources: PERMISSION_RESOURCES,
          memory: { rss: process.memoryUsage().rss },
          stats: state.stats,
        };
      case 'GET /deliveries': {
        const event = url.searchParams.get('event');
        return { data: this.webhooks.log.filter((d) => !event || d.eventId === event) };
      }
      case 'GET /faults':
        return state.faults;
      case 'POST /faults':
        merge(state.faults, body, 'fault');
        if (body.rateLimit) state.limiter.reset();
        return state.faults;
      case 'DELETE /faults':
        state.faults = defaultFaults();
        state.limiter.reset();
        return state.faults;
      case 'GET /settings':
        return this.settings();
      case 'POST /settings': {
        const { oauthAccessTokenTtlSeconds, ...rest } = body;
        merge(state.settings, rest, 'setting');
        if (oauthAccessTokenTtlSeconds !== undefined) {
          if (typeof oauthAccessTokenTtlSeconds !== 'number')
            throw bad('oauthAccessTokenTtlSeconds must be a number');
          state.oauth.accessTokenTtlSeconds = oauthAccessTokenTtlSeconds;
        }
        return this.settings();
      }
      case 'POST /accounts': {
        const connected = body.connected !== false;
        const account = state.createAccount(connected ? this.platformId : null);
        const test = `sk_test_${newId('x', 32).slice(2)}`;
        const live = `sk_live_${newId('x', 32).slice(2)}`;
        state.addKey(test, account.id, false);
        state.addKey(live, account.id, true);
        return { id: account.id, platform: account.platform, keys: { test, live } };
      }
      case 'POST /keys': {
        const account = typeof body.account === 'string' ? body.account : '';
        if (!state.accounts.has(account)) throw bad(`No such account: ${account}`);
        const livemode = body.livemode === true;
        const permissions = body.permissions as Permissions | undefined;
        if (permissions !== undefined) {
          for (const [resource, access] of Object.entries(permissions)) {
            if (!PERMISSION_RESOURCES.includes(resource))
              throw bad(`Unknown permission resource: ${resource}`);
            if (access !== 'read' && access !== 'write')
              throw bad(`Permission ${resource} must be read or write`);
          }
        }
        const prefix = `${permissions ? 'rk' : 'sk'}_${livemode ? 'live' : 'test'}_`;
        const key = `${prefix}${newId('x', 32).slice(2)}`;
        state.addKey(key, account, livemode, permissions ? { permissions } : {});
        return { key, account, livemode, permissions: permissions ?? null };
      }
      case 'POST /deauthorize': {
        const account = state.accounts.get(typeof body.account === 'string' ? body.account : '');
        if (!account?.platform) throw bad('No such connected account');
        deauthorize(state, account, body.livemode === true);
        return { deauthorized: account.id };
      }
      case 'POST /seed':
        return seedAccounts(state, this.platformId, seedOptions(body));
      case 'POST /expire-dispute': {
        // Time passing for one dispute: its response deadline is now behind it (what Stripe's test
        // mode cannot do on demand), so refusals of late evidence can be tried.
        const account = state.accounts.get(typeof body.account === 'string' ? body.account : '');
        const id = typeof body.dispute === 'string' ? body.dispute : '';
        const dispute = account ? state.get(account, 'dispute', id) : undefined;
        if (!dispute) throw bad('No such dispute');
        const details = dispute.evidence_details as Record<string, unknown>;
        details.due_by = Math.floor(Date.now() / 1000) - 60;
        details.past_due = true;
        return { dispute: dispute.id, due_by: details.due_by };
      }
      case 'POST /dispute': {
        // The cardholder disputes an existing payment with a reason of the test's choosing (Stripe's
        // test cards only open fraud and not-received disputes at charge time).
        const account = state.accounts.get(typeof body.account === 'string' ? body.account : '');
        const charge = account
          ? state.get(account, 'charge', typeof body.charge === 'string' ? body.charge : '')
          : undefined;
        if (!account || !charge) throw bad('No such charge');
        if (charge.disputed) throw bad('This charge is already disputed');
        const reason = typeof body.reason === 'string' ? body.reason : 'general';
        const ctx: RequestContext = {
          state,
          account,
          livemode: charge.livemode === true,
          connected: account.platform !== null,
          params: {},
          path: '/_emulator/dispute',
          requestId: newId('req', 14),
          idempotencyKey: null,
        };
        const dispute = createDispute(ctx, charge, {
          status: 'needs_response',
          reason,
          networkReasonCode:
            typeof body.networkReasonCode === 'string' ? body.networkReasonCode : '13.2',
          caseType: 'chargeback',
        });
        return dispute;
      }
      default:
        throw new StripeApiError(404, 'invalid_request_error', `Unknown control route ${route}`);
    }
  }
}

export type { Faults, EmulatorSettings };
