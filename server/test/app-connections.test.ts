// The app's signed requests, restricted-key connections (permissions probed, endpoint created,
// secrets encrypted and rotated with overlap), and the tenant lifecycle: uninstall, purge after
// the retention, reconnect before it.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSIONS } from '../src/connections/api-key/key-checks.ts';
import { TenantClients } from '../src/connections/credentials/tenant-clients.ts';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import {
  ADMIN_TOKEN,
  APP_SECRETS,
  appSignature,
  DEFAULT_KEYS,
  FULL_KEY_PERMISSIONS,
} from './support/emulator.ts';
import { CONNECT_SECRETS, useEmulatedStack } from './support/harness.ts';
import { sendEvent } from './support/http.ts';
import { appCall as appCallAt, type AppIdentity } from './support/app-client.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({
  OAUTH_RETURN_URL: 'https://dashboard.stripe.com/test/apps/disputedesk',
  // The connect page's limit, high enough for this file's connections and its own test.
  CONNECT_PAGE_ATTEMPTS_PER_MINUTE: '40',
  TENANT_PURGE_AFTER_DAYS: '30',
});

/** Every permission the product probes for (support/emulator.ts keeps the one list). */
const ALL = FULL_KEY_PERMISSIONS as Record<string, 'read' | 'write'>;

async function control<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${emu.emulator.url}/_emulator/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

async function merchant(permissions: Record<string, 'read' | 'write'> = ALL, livemode = false) {
  const { id } = await control<{ id: string }>('accounts', {});
  const { key } = await control<{ key: string }>('keys', { account: id, permissions, livemode });
  return { account: id, key };
}

interface Answer {
  error: {
    code: string;
    message: string;
    details?: { reason?: string; missing?: string[]; required?: string[] };
  };
  webhook: { status: string; url?: string; hint?: string; message?: string };
  tenantId?: string;
  [field: string]: unknown;
}

const appCall = (
  method: 'GET' | 'POST',
  path: string,
  identity: AppIdentity,
  opts: Parameters<typeof appCallAt>[4] = {},
) => appCallAt<Answer>(env.stack.api.url, method, path, identity, opts);

/** The backend's connect page, as a browser form asking for JSON (the key alone proves the account). */
const connectKey = async (
  _account: string,
  key: string,
  extra: Record<string, string> = {},
  accept = 'application/json',
) => {
  const res = await fetch(`${env.stack.api.url}/connect/api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams({ apiKey: key, ...extra }).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: (accept === 'application/json' ? JSON.parse(text) : {}) as Answer,
  };
};

describe('signed app requests', () => {
  it('answer the verified account only; unsigned, mis-signed, stale and crossed requests get 401', async () => {
    const a = await merchant();
    const b = await merchant();
    const ok = await appCall('GET', '/app/v1/connection', { user: 'usr_1', account: a.account });
    expect(ok).toMatchObject({
      status: 200,
      body: { accountId: a.account, status: 'not_connected' },
    });
    const unsigned = await appCall(
      'GET',
      '/app/v1/connection',
      { user: 'usr_1', account: a.account },
      { signature: null },
    );
    expect(unsigned).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized', details: { reason: 'missing_signature_header' } } },
    });
    const crossed = await appCall(
      'GET',
      '/app/v1/connection',
      { user: 'usr_1', account: b.account },
      { signature: (binding) => appSignature('usr_1', a.account, { binding }) },
    );
    expect(crossed).toMatchObject({
      status: 401,
      body: { error: { details: { reason: 'signature_mismatch' } } },
    });
    const stale = await appCall(
      'GET',
      '/app/v1/connection',
      { user: 'usr_1', account: a.account },
      {
        signature: (binding) =>
          appSignature('usr_1', a.account, {
            binding,
            timestamp: Math.floor(Date.now() / 1000) - 301,
          }),
      },
    );
    expect(stale).toMatchObject({
      status: 401,
      body: { error: { details: { reason: 'timestamp_too_old' } } },
    });
    const foreign = await appCall(
      'GET',
      '/app/v1/connection',
      { user: 'usr_1', account: a.account },
      {
        signature: (binding) =>
          appSignature('usr_1', a.account, { binding, secret: 'absec_someone_else_000' }),
      },
    );
    expect(foreign.status).toBe(401);
    // During a rotation the previous secret still works.
    const previous = await appCall(
      'GET',
      '/app/v1/connection',
      { user: 'usr_1', account: a.account },
      {
        signature: (binding) =>
          appSignature('usr_1', a.account, { binding, secret: APP_SECRETS[1] }),
      },
    );
    expect(previous.status).toBe(200);
  });

  it('a connected merchant cannot read another tenant by naming its account', async () => {
    const a = await merchant();
    const b = await merchant();
    expect((await connectKey(b.account, b.key)).status).toBe(201);
    // a signs for itself but asks about b: refused; a signing for b is impossible without the secret.
    const attempt = await appCall(
      'GET',
      '/app/v1/connection',
      { user: 'usr_a', account: b.account },
      { signature: (binding) => appSignature('usr_a', a.account, { binding }) },
    );
    expect(attempt.status).toBe(401);
    const own = await appCall('GET', '/app/v1/connection', { user: 'usr_a', account: a.account });
    expect(own.body).toMatchObject({ accountId: a.account, status: 'not_connected' });
  });

  it('allows the extension’s null origin on app routes only', async () => {
    const pre = await fetch(`${env.stack.api.url}/app/v1/connection`, {
      method: 'OPTIONS',
      headers: { origin: 'null', 'access-control-request-method': 'GET' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('null');
    expect(pre.headers.get('access-control-allow-headers')).toContain('Stripe-Signature');
    const hook = await fetch(`${env.stack.api.url}/webhooks/stripe/connect`, {
      method: 'OPTIONS',
      headers: { origin: 'null' },
    });
    expect(hook.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('restricted API keys', () => {
  it('names exactly the missing permissions and stores nothing', async () => {
    const partial = { ...ALL };
    delete partial.payout;
    delete partial.file;
    partial.report_run = 'read';
    const m = await merchant(partial);
    const res = await connectKey(m.account, m.key);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('missing_permissions');
    expect(res.body.error.details!.missing!.sort()).toEqual([
      'rak_file_read',
      'rak_payout_read',
      'rak_report_run_write',
    ]);
    expect(res.body.error.details!.required).toEqual(REQUIRED_PERMISSIONS);
    expect(await env.stack.db.prisma.tenant.count({ where: { stripeAccountId: m.account } })).toBe(
      0,
    );
  });

  it('refuses secret keys, malformed keys and unknown keys, on the page and as JSON', async () => {
    const m = await merchant();
    const cases: Array<[string, number, string]> = [
      [DEFAULT_KEYS.test, 400, 'secret_key_refused'],
      ['rk_test_short', 400, 'format'],
      ['rk_test_0123456789abcdefghij', 400, 'unknown_key'],
    ];
    for (const [key, status, reason] of cases) {
      const res = await connectKey(m.account, key);
      expect(res.status, key).toBe(status);
      expect(res.body.error.details?.reason, key).toBe(reason);
    }
    // A browser gets the form again with the reason, and the key is not echoed back.
    const page = await connectKey(m.account, DEFAULT_KEYS.test, {}, 'text/html');
    expect(page.status).toBe(400);
    expect(page.text).toContain('This is a secret key.');
    expect(page.text).toContain('<form method="post" action="/connect/api-key"');
    expect(page.text).not.toContain(DEFAULT_KEYS.test);
    const blank = await fetch(`${env.stack.api.url}/connect/api-key`);
    expect(blank.status).toBe(200);
    expect(await blank.text()).toContain('type="password"');
  });

  it('is not the app’s business: the Stripe App cannot connect a key', async () => {
    const m = await merchant();
    const res = await appCall(
      'POST',
      '/app/v1/connections/api-key',
      { user: 'usr_owner', account: m.account },
      { body: { apiKey: m.key } },
    );
    expect(res.status).toBe(404);
    expect(await env.stack.db.prisma.tenant.count({ where: { stripeAccountId: m.account } })).toBe(
      0,
    );
  });

  it('connects: key and endpoint secret encrypted, endpoint created, its events arrive and are processed', async () => {
    const m = await merchant();
    const res = await connectKey(m.account, m.key);
    expect(res.status).toBe(201);
    const { tenantId } = res.body as { tenantId: string };
    expect(res.body).toMatchObject({
      accountId: m.account,
      livemode: false,
      status: 'active',
      keyHint: m.key.slice(-4),
    });
    expect(res.body.webhook).toMatchObject({
      status: 'created',
      url: `${emu.apiUrl}/webhooks/stripe/${tenantId}`,
    });
    expect(JSON.stringify(res.body)).not.toContain(m.key);
    const creds = await env.stack.db.prisma.credential.findMany({ where: { tenantId } });
    expect(creds.map((c) => c.kind).sort()).toEqual(['api_key', 'webhook_signing_secret']);
    for (const c of creds) expect(c.ciphertext).not.toMatch(/rk_test|whsec_/);
    // The endpoint on the merchant's account lists the events the product processes.
    const platform = new Stripe(DEFAULT_KEYS.test, {
      host: '127.0.0.1',
      port: emu.emulator.port,
      protocol: 'http',
    });
    const endpoints = await platform.webhookEndpoints.list({}, { stripeAccount: m.account });
    expect(endpoints.data[0]).toMatchObject({ url: `${emu.apiUrl}/webhooks/stripe/${tenantId}` });
    expect(endpoints.data[0]!.enabled_events).toContain('charge.dispute.created');
    // A dispute on the merchant's account reaches our endpoint for this tenant and is normalized.
    await platform.paymentIntents.create(
      { amount: 3100, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true },
      { stripeAccount: m.account },
    );
    const dispute = await waitFor(
      () => env.stack.db.prisma.dispute.findFirst({ where: { tenantId } }),
      { what: 'the dispute to be stored' },
    );
    expect(dispute).toMatchObject({ status: 'OPEN', type: 'DISPUTE' });
  });

  it('a key that may not create endpoints connects and asks for a pasted secret; pasting works', async () => {
    const noWebhook = { ...ALL };
    delete noWebhook.webhook;
    const m = await merchant(noWebhook);
    const first = await connectKey(m.account, m.key);
    expect(first.status).toBe(201);
    expect(first.body.webhook.status).toBe('secret_needed');
    expect(first.body.webhook.message).toContain('rak_webhook_write');
    const pasted = await connectKey(m.account, m.key, {
      webhookSecret: 'whsec_pasted_by_the_merchant_01',
    });
    expect(pasted.body.webhook).toMatchObject({ status: 'pasted', hint: 't_01' });
  });

  it('the admin rotates the endpoint secret: old and new both verify for the overlap, old endpoint deleted later', async () => {
    const m = await merchant();
    const { tenantId } = (await connectKey(m.account, m.key)).body as { tenantId: string };
    const secretsOf = async () =>
      (
        await env.stack.db.prisma.credential.findMany({
          where: { tenantId, kind: 'webhook_signing_secret' },
        })
      ).map((c) => env.stack.keyring.open(c.ciphertext, `${tenantId}:webhook_signing_secret`));
    const [old] = await secretsOf();
    const rotated = await fetch(
      `${env.stack.api.url}/admin/v1/tenants/${tenantId}/webhook-secret/rotate`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(rotated.status).toBe(200);
    expect(((await rotated.json()) as { status: string }).status).toBe('created');
    const secrets = await secretsOf();
    expect(secrets).toHaveLength(2);
    const fresh = secrets.find((s) => s !== old)!;
    for (const secret of [old!, fresh]) {
      const body = JSON.stringify({
        id: `evt_rot_${secret.slice(-6)}`,
        object: 'event',
        type: 'customer.created',
        api_version: '2026-10-28.endive',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        data: { object: { id: `cus_rot_${secret.slice(-4)}`, object: 'customer', created: 1 } },
      });
      const res = await fetch(`${env.stack.api.url}/webhooks/stripe/${tenantId}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(secret, body),
        },
      });
      expect(res.status, 'both secrets verify during the overlap').toBe(200);
    }
    const delayed = await env.stack.queues.maintenance.getDelayed();
    expect(delayed.some((j) => (j.data as { tenantId?: string }).tenantId === tenantId)).toBe(true);
    const unauth = await fetch(
      `${env.stack.api.url}/admin/v1/tenants/${tenantId}/webhook-secret/rotate`,
      { method: 'POST' },
    );
    expect(unauth.status).toBe(401);
  });
});

describe('Stripe clients per tenant', () => {
  it('use the right credential for each connection type and refuse disconnected tenants', async () => {
    const clients = new TenantClients({
      prisma: env.stack.db.prisma,
      keyring: env.stack.keyring,
      stripe: env.stack.config.stripe,
      logger: env.stack.logger,
    });
    // Restricted key.
    const m = await merchant();
    const { tenantId } = (await connectKey(m.account, m.key)).body as { tenantId: string };
    const viaKey = await clients.forTenant(tenantId);
    expect((await viaKey.accounts.retrieveCurrent()).id).toBe(m.account);
    await expect(viaKey.customers.create({})).rejects.toMatchObject({ statusCode: 403 });
    // Platform: the platform key plus Stripe-Account.
    const connected = emu.emulator.state.createAccount(emu.emulator.platformAccountId).id;
    const platformTenant = await env.stack.db.prisma.tenant.create({
      data: {
        stripeAccountId: connected,
        livemode: false,
        connectionType: 'platform',
        status: 'active',
      },
    });
    const viaPlatform = await clients.forTenant(platformTenant.id);
    const customer = await viaPlatform.customers.create({ email: 'p@example.com' });
    const platform = new Stripe(DEFAULT_KEYS.test, {
      host: '127.0.0.1',
      port: emu.emulator.port,
      protocol: 'http',
    });
    expect(
      (await platform.customers.retrieve(customer.id, {}, { stripeAccount: connected })).id,
    ).toBe(customer.id);
    // Disconnected: no client.
    await env.stack.db.prisma.tenant.update({
      where: { id: platformTenant.id },
      data: { status: 'disconnected', statusReason: 'test' },
    });
    clients.forget(platformTenant.id);
    await expect(clients.forTenant(platformTenant.id)).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('tenant lifecycle', () => {
  async function oauthInstall(account?: string) {
    const start = await fetch(`${env.stack.api.url}/oauth/install?mode=test`, {
      redirect: 'manual',
    });
    const to = new URL(start.headers.get('location')!);
    const decided = await fetch(`${emu.emulator.url}/oauth/authorize/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: to.searchParams.get('client_id')!,
        redirect_uri: to.searchParams.get('redirect_uri')!,
        state: to.searchParams.get('state')!,
        decision: 'install',
        ...(account ? { stripe_user_id: account } : {}),
      }).toString(),
    });
    return fetch(decided.headers.get('location')!, { redirect: 'manual' });
  }

  it('support pauses a tenant (events kept, not processed) and resumes it (processed then)', async () => {
    const m = await merchant();
    const { tenantId } = (await connectKey(m.account, m.key)).body as { tenantId: string };
    const admin = (path: string, body: unknown = {}) =>
      fetch(`${env.stack.api.url}/admin/v1/tenants/${tenantId}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await admin('pause', { reason: 'merchant asked' })).status).toBe(200);
    expect((await admin('pause')).status).toBe(409);
    const platform = new Stripe(DEFAULT_KEYS.test, {
      host: '127.0.0.1',
      port: emu.emulator.port,
      protocol: 'http',
    });
    await platform.paymentIntents.create(
      { amount: 2500, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true },
      { stripeAccount: m.account },
    );
    await waitFor(
      async () => {
        const { rows } = await env.stack.db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM raw_events WHERE tenant_id = $1 AND status = 'deferred'`,
          [tenantId],
        );
        return rows[0]!.n > 0;
      },
      { what: 'events kept while paused' },
    );
    expect(await env.stack.db.prisma.dispute.count({ where: { tenantId } })).toBe(0);
    const resumed = await admin('resume');
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as { released: number }).released).toBeGreaterThan(0);
    await waitFor(() => env.stack.db.prisma.dispute.findFirst({ where: { tenantId } }), {
      what: 'dispute after resume',
    });
  });

  it('an old deauthorization that arrives after a newer install changes nothing', async () => {
    const done = await oauthInstall();
    const account = new URL(done.headers.get('location')!).searchParams.get('account')!;
    const tenant = await env.stack.db.prisma.tenant.findFirstOrThrow({
      where: { stripeAccountId: account },
    });
    const stale = {
      id: 'evt_stale_deauth_1',
      object: 'event',
      type: 'account.application.deauthorized',
      account,
      api_version: '2026-10-28.endive',
      created: Math.floor(tenant.connectedAt!.getTime() / 1000) - 60,
      livemode: false,
      data: { object: { id: 'ca_x', object: 'application' } },
    };
    const sent = await sendEvent(
      `${env.stack.api.url}/webhooks/stripe/connect`,
      stale,
      CONNECT_SECRETS[0]!,
    );
    expect(sent.status).toBe(200);
    await waitFor(
      async () => {
        const { rows } = await env.stack.db.pool.query<{ status: string }>(
          `SELECT status FROM raw_events WHERE stripe_event_id = 'evt_stale_deauth_1'`,
        );
        return rows[0]?.status === 'processed';
      },
      { what: 'the stale event to be processed' },
    );
    expect(
      await env.stack.db.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } }),
    ).toMatchObject({
      status: 'active',
    });
  });

  it('redirects to the configured return URL after an install', async () => {
    const done = await oauthInstall();
    expect(done.status).toBe(302);
    const back = new URL(done.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('https://dashboard.stripe.com/test/apps/disputedesk');
    expect(back.searchParams.get('account')).toMatch(/^acct_/);
  });

  it('uninstall disconnects; data stays until the retention ends, then is purged; reconnecting before restores', async () => {
    const done = await oauthInstall();
    const account = new URL(done.headers.get('location')!).searchParams.get('account')!;
    const tenant = await env.stack.db.prisma.tenant.findFirstOrThrow({
      where: { stripeAccountId: account },
    });
    const platform = new Stripe(DEFAULT_KEYS.test, {
      host: '127.0.0.1',
      port: emu.emulator.port,
      protocol: 'http',
    });
    await platform.paymentIntents.create(
      { amount: 2000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true },
      { stripeAccount: account },
    );
    await waitFor(() => env.stack.db.prisma.dispute.findFirst({ where: { tenantId: tenant.id } }), {
      what: 'dispute',
    });
    // The merchant uninstalls: Stripe sends account.application.deauthorized to the Connect endpoint.
    await control('deauthorize', { account });
    const off = await waitFor(
      async () => {
        const t = await env.stack.db.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
        return t.status === 'disconnected' ? t : null;
      },
      { what: 'the tenant to be disconnected' },
    );
    expect(off.statusReason).toContain('deauthorized');
    expect(await env.stack.db.prisma.credential.count({ where: { tenantId: tenant.id } })).toBe(0);
    // Within the retention a maintenance pass keeps everything.
    await env.stack.worker!.runMaintenance();
    expect(await env.stack.db.prisma.dispute.count({ where: { tenantId: tenant.id } })).toBe(1);
    // Reconnecting restores the tenant with its data.
    const again = await oauthInstall(account);
    expect(again.status).toBe(302);
    expect(
      await env.stack.db.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } }),
    ).toMatchObject({ status: 'active' });
    expect(await env.stack.db.prisma.dispute.count({ where: { tenantId: tenant.id } })).toBe(1);
    // Every event Stripe made for the account delivered (a delivery that timed out is retried
    // later and would land after the purge), then uninstalled again, that event delivered too;
    // then disconnected for longer than the retention, and purged.
    await waitFor(
      async () => {
        const events = await platform.events.list({ limit: 100 }, { stripeAccount: account });
        return events.data.every((e) => e.pending_webhooks === 0);
      },
      { what: 'the account’s events to be delivered' },
    );
    await control('deauthorize', { account });
    await waitFor(
      async () => {
        const res = await fetch(`${emu.emulator.url}/_emulator/deliveries`);
        const { data } = (await res.json()) as {
          data: { eventId: string; eventType: string; final: boolean }[];
        };
        const deauths = data.filter((d) => d.eventType === 'account.application.deauthorized');
        const open = new Set(deauths.map((d) => d.eventId));
        for (const d of deauths) if (d.final) open.delete(d.eventId);
        const t = await env.stack.db.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
        return t.status === 'disconnected' && open.size === 0;
      },
      { what: 'the uninstall delivered and the tenant disconnected' },
    );
    await env.stack.db.pool.query(
      `UPDATE tenants SET status = 'disconnected', disconnected_at = now() - interval '31 days' WHERE id = $1`,
      [tenant.id],
    );
    await env.stack.worker!.runMaintenance();
    expect(
      await env.stack.db.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } }),
    ).toMatchObject({ status: 'purged' });
    for (const table of [
      'disputes',
      'raw_events',
      'charges',
      'payment_intents',
      'credentials',
      'dispute_timeline',
    ]) {
      const { rows } = await env.stack.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`,
        [tenant.id],
      );
      expect(rows[0]!.n, table).toBe(0);
    }
  });
});

// Last in the file: it uses up this minute's attempts from this address.
describe('the connect page’s limit', () => {
  it('refuses attempts beyond the limit from one address with 429 and Retry-After', async () => {
    let limited: Response | null = null;
    for (let i = 0; i < 45 && !limited; i++) {
      const res = await fetch(`${env.stack.api.url}/connect/api-key`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ apiKey: 'rk_test_short' }),
      });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(400);
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited!.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });
});
