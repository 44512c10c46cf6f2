// Installing the Stripe App: OAuth (install link → the emulator's authorize page → callback →
// token exchange) and platform installs (signed redirect), every refusal, and the OAuth tokens'
// life: refresh ahead of expiry with rotation, concurrent refreshes, a revoked grant.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { refreshAccessToken } from '../src/connections/credentials/oauth-tokens.ts';
import { TenantClients } from '../src/connections/credentials/tenant-clients.ts';
import { hashState, issueState } from '../src/connections/oauth/oauth-states.ts';
import { backfillJob, reportRunsJob } from '../src/queues.ts';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import { APP_SECRETS, DEFAULT_KEYS } from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({}, { worker: false });

async function startInstall(query = 'mode=test') {
  const res = await fetch(`${env.stack.api.url}/oauth/install?${query}`, { redirect: 'manual' });
  return { res, to: res.headers.get('location') ? new URL(res.headers.get('location')!) : null };
}

/** The merchant's browser: install link → authorize page → Install/Cancel → back to our callback. */
async function install(
  opts: { mode?: 'test' | 'live'; decision?: 'install' | 'cancel'; account?: string } = {},
) {
  const { to } = await startInstall(`mode=${opts.mode ?? 'test'}`);
  const page = await fetch(to!);
  expect(await page.text()).toContain('>Install</button>');
  const decided = await fetch(`${emu.emulator.url}/oauth/authorize/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: to!.searchParams.get('client_id')!,
      redirect_uri: to!.searchParams.get('redirect_uri')!,
      state: to!.searchParams.get('state')!,
      decision: opts.decision ?? 'install',
      ...(opts.account ? { stripe_user_id: opts.account } : {}),
    }).toString(),
  });
  const callback = decided.headers.get('location')!;
  const done = await fetch(callback, { redirect: 'manual' });
  return {
    status: done.status,
    html: await done.text(),
    callback,
    location: done.headers.get('location'),
  };
}

const tenantFor = (account: string, livemode = false) =>
  env.stack.db.prisma.tenant.findUnique({
    where: { stripeAccountId_livemode: { stripeAccountId: account, livemode } },
  });

const accountIn = (html: string) => /(acct_\w+)/.exec(html)?.[1];

describe('GET /oauth/install', () => {
  it('redirects to the authorize URL with client id, redirect URI and a fresh sealed state, writing nothing', async () => {
    const rowsBefore = await env.stack.db.pool.query('SELECT count(*)::int AS n FROM oauth_states');
    const { res, to } = await startInstall();
    expect(res.status).toBe(302);
    expect(to!.origin + to!.pathname).toBe(`${emu.emulator.url}/oauth/authorize`);
    expect(to!.searchParams.get('client_id')).toBe('ca_emulator_platform');
    expect(to!.searchParams.get('redirect_uri')).toBe(`${emu.apiUrl}/oauth/callback`);
    const state = to!.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(40);
    expect(state).not.toMatch(/test|oauth/); // sealed: the mode and flow cannot be read or changed
    // Unauthenticated install hits cost no rows (a flood cannot fill the table).
    for (let i = 0; i < 20; i++) expect((await startInstall()).res.status).toBe(302);
    const rowsAfter = await env.stack.db.pool.query('SELECT count(*)::int AS n FROM oauth_states');
    expect(rowsAfter.rows[0]).toEqual(rowsBefore.rows[0]);
    expect((await startInstall()).to!.searchParams.get('state')).not.toBe(state);
    // Used, it is recorded as a hash only.
    await fetch(
      `${env.stack.api.url}/oauth/callback?state=${encodeURIComponent(state)}&error=access_denied`,
    );
    const used = await env.stack.db.pool.query(
      'SELECT livemode, flow, used_at IS NOT NULL AS used FROM oauth_states WHERE state_hash = $1',
      [hashState(state)],
    );
    expect(used.rows[0]).toEqual({ livemode: false, flow: 'oauth', used: true });
  });

  it('shows Stripe’s error text only on a callback with a valid state of ours', async () => {
    const text = 'Your account is locked. Call +1-555-0100 to restore it';
    const forged = await fetch(
      `${env.stack.api.url}/oauth/callback?error=invalid_request&error_description=${encodeURIComponent(text)}`,
    );
    expect(forged.status).toBe(200);
    const forgedPage = await forged.text();
    expect(forgedPage).toContain('Install cancelled');
    expect(forgedPage).not.toContain('555-0100');
    const { to } = await startInstall();
    const genuine = await fetch(
      `${env.stack.api.url}/oauth/callback?state=${encodeURIComponent(to!.searchParams.get('state')!)}&error=invalid_request&error_description=${encodeURIComponent('The app is not available in your country')}`,
    );
    expect(await genuine.text()).toContain('Stripe said: The app is not available in your country');
  });

  it('refuses an unknown mode with a clear page', async () => {
    const { res } = await startInstall('mode=staging');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Unknown install mode');
  });
});

describe('OAuth install', () => {
  it('connects the account: tenant active, tokens encrypted, history and reports queued', async () => {
    const done = await install();
    expect(done.status).toBe(200);
    expect(done.html).toContain('DisputeDesk is connected');
    const account = accountIn(done.html)!;
    const tenant = await tenantFor(account);
    expect(tenant).toMatchObject({ status: 'active', connectionType: 'oauth', livemode: false });
    const creds = await env.stack.db.prisma.credential.findMany({
      where: { tenantId: tenant!.id },
    });
    expect(creds.map((c) => c.kind).sort()).toEqual(['oauth_access_token', 'oauth_refresh_token']);
    for (const c of creds) {
      // Sealed: what opens it is the token, and the stored text does not contain it (a pattern
      // check such as /rt_/ fails now and then on random ciphertext).
      const token = env.stack.keyring.open(c.ciphertext, `${tenant!.id}:${c.kind}`);
      expect(token).toMatch(c.kind === 'oauth_access_token' ? /^sk_test_oauth_/ : /^rt_/);
      expect(c.ciphertext).not.toContain(token);
      expect(c.hint.length).toBeLessThanOrEqual(4);
    }
    expect(tenant!.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    const queued = async (q: 'backfill' | 'reports') =>
      (await env.stack.queues[q].getJobs(['waiting', 'active', 'completed', 'delayed']))
        .filter((j) => (j.data as { tenantId?: string }).tenantId === tenant!.id)
        .map((j) => j.name)
        .sort();
    expect(await queued('backfill')).toEqual([backfillJob.name, 'catch-up-events']);
    expect(await queued('reports')).toEqual([reportRunsJob.name]);
  });

  it('installs in live mode with the live key when the state says live', async () => {
    const done = await install({ mode: 'live' });
    expect(done.status).toBe(200);
    expect(await tenantFor(accountIn(done.html)!, true)).toMatchObject({
      livemode: true,
      status: 'active',
    });
  });

  it('the merchant cancelling gets a friendly page and nothing is connected', async () => {
    const before = await env.stack.db.prisma.tenant.count();
    const done = await install({ decision: 'cancel' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Install cancelled');
    expect(await env.stack.db.prisma.tenant.count()).toBe(before);
  });

  it('refuses a replayed callback (409), an unknown (400), a missing (400) and an expired state (410)', async () => {
    const done = await install();
    expect(done.status).toBe(200);
    const replay = await fetch(done.callback);
    expect(replay.status).toBe(409);
    expect(await replay.text()).toContain('already used');
    const unknown = await fetch(`${env.stack.api.url}/oauth/callback?state=forged&code=ac_x`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('not ours');
    // A real state with one character changed is not ours either (sealed, authenticated).
    const real = (await startInstall()).to!.searchParams.get('state')!;
    const altered = real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA');
    const tampered = await fetch(
      `${env.stack.api.url}/oauth/callback?state=${encodeURIComponent(altered)}&code=ac_x`,
    );
    expect(tampered.status).toBe(400);
    // No state and no code: nothing to verify or exchange.
    const missing = await fetch(`${env.stack.api.url}/oauth/callback`);
    expect(missing.status).toBe(400);
    const old = issueState(env.stack.keyring, { livemode: false, flow: 'oauth', ttlSeconds: -600 });
    const expired = await fetch(
      `${env.stack.api.url}/oauth/callback?state=${encodeURIComponent(old)}&code=ac_x`,
    );
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
  });

  it('refuses a code Stripe does not know, and a code on a state issued for a platform install', async () => {
    const { to } = await startInstall();
    const bad = await fetch(
      `${env.stack.api.url}/oauth/callback?state=${to!.searchParams.get('state')}&code=ac_forged`,
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('invalid_grant');
    const platform = await startInstall('mode=test&flow=platform');
    const mixed = await fetch(
      `${env.stack.api.url}/oauth/callback?state=${platform.to!.searchParams.get('state')}&code=ac_x`,
    );
    expect(mixed.status).toBe(400);
  });
});

describe('installs Stripe starts (Marketplace, Dashboard, per-mode install links)', () => {
  /** The merchant installs from Stripe: no state of ours, the install for one mode. */
  async function installFromStripe(mode: 'test' | 'live' | 'sandbox') {
    const redirectUri = `${env.stack.api.url}/oauth/callback`;
    const authorize = new URL(`${emu.emulator.url}/oauth/v2/authorize`);
    authorize.searchParams.set('client_id', 'ca_emulator_platform');
    authorize.searchParams.set('redirect_uri', redirectUri);
    authorize.searchParams.set('mode', mode);
    const page = await fetch(authorize);
    expect(page.status).toBe(200);
    const decided = await fetch(`${emu.emulator.url}/oauth/authorize/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: 'ca_emulator_platform',
        redirect_uri: redirectUri,
        mode,
        decision: 'install',
      }).toString(),
    });
    const callback = new URL(decided.headers.get('location')!);
    expect(callback.searchParams.has('state')).toBe(false);
    const done = await fetch(callback, { redirect: 'manual' });
    return { status: done.status, html: await done.text(), callback };
  }

  it('connects a test-mode install without a state (the live key is tried first and refused)', async () => {
    const done = await installFromStripe('test');
    expect(done.status).toBe(200);
    expect(done.html).toContain('DisputeDesk is connected');
    const account = accountIn(done.html)!;
    expect(await tenantFor(account, false)).toMatchObject({
      status: 'active',
      connectionType: 'oauth',
    });
    expect(await tenantFor(account, true)).toBeNull();
    // The code is spent: the same link again connects nothing more.
    const again = await fetch(done.callback);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('invalid_grant');
  });

  it('connects a live-mode install without a state', async () => {
    const done = await installFromStripe('live');
    expect(done.status).toBe(200);
    expect(await tenantFor(accountIn(done.html)!, true)).toMatchObject({
      livemode: true,
      status: 'active',
    });
  });

  it('connects an install made in one of the merchant’s sandboxes through the managed sandbox', async () => {
    const done = await installFromStripe('sandbox');
    expect(done.status).toBe(200);
    const account = accountIn(done.html)!;
    const tenant = await tenantFor(account, false);
    expect(tenant).toMatchObject({ status: 'active', sandbox: true, livemode: false });
    // Its token works, and refreshes with the managed sandbox's key (the platform's test key
    // would not be accepted for it).
    const deps = {
      prisma: env.stack.db.prisma,
      keyring: env.stack.keyring,
      stripe: env.stack.config.stripe,
      logger: env.stack.logger,
    };
    const token = await refreshAccessToken(deps, tenant!.id, { force: true });
    expect(token).toMatch(/^sk_test_oauth_/);
    const stripe = await new TenantClients(deps).forTenant(tenant!.id);
    expect((await stripe.accounts.retrieveCurrent()).id).toBe(account);
    // Its events come through the managed sandbox's Connect endpoint and are stored as its own.
    await new Stripe(DEFAULT_KEYS.sandbox, {
      host: '127.0.0.1',
      port: emu.emulator.port,
      protocol: 'http',
    }).customers.create({ name: 'Sandbox shopper' }, { stripeAccount: account });
    await waitFor(async () => {
      const { rows } = await env.stack.db.pool.query(
        `SELECT 1 FROM raw_events WHERE tenant_id = $1 AND type = 'customer.created'`,
        [tenant!.id],
      );
      return rows.length ? true : null;
    });
  });

  it('refuses a code Stripe does not know, connecting nothing', async () => {
    const before = await env.stack.db.prisma.tenant.count();
    const forged = await fetch(`${env.stack.api.url}/oauth/callback?code=ac_forged_code`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('Stripe refused the authorization (invalid_grant)');
    expect(await env.stack.db.prisma.tenant.count()).toBe(before);
  });
});

describe('OAuth tokens', () => {
  const tokenDeps = () => ({
    prisma: env.stack.db.prisma,
    keyring: env.stack.keyring,
    stripe: env.stack.config.stripe,
    logger: env.stack.logger,
  });

  it('refreshes ahead of expiry and stores the rotated refresh token; the old one is dead', async () => {
    const tenant = (await tenantFor(accountIn((await install()).html)!))!;
    const refreshRow = () =>
      env.stack.db.prisma.credential.findFirstOrThrow({
        where: { tenantId: tenant.id, kind: 'oauth_refresh_token' },
      });
    const before = await refreshRow();
    const oldRefresh = env.stack.keyring.open(
      before.ciphertext,
      `${tenant.id}:oauth_refresh_token`,
    );
    const token = await refreshAccessToken(tokenDeps(), tenant.id, { force: true });
    expect(token).toMatch(/^sk_test_oauth_/);
    const after = await refreshRow();
    expect(after.ciphertext).not.toBe(before.ciphertext);
    // Stripe (the emulator) rotated it: the old refresh token is refused now.
    const reuse = await fetch(`${emu.emulator.url}/v1/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${DEFAULT_KEYS.test}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: oldRefresh,
      }).toString(),
    });
    expect(reuse.status).toBe(400);
    // The new access token works on the merchant's account.
    const me = await fetch(`${emu.emulator.url}/v1/account`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await me.json()) as { id: string }).id).toBe(tenant.stripeAccountId);
  });

  it('gives an OAuth tenant a Stripe client that acts as its account, refreshing when due', async () => {
    const tenant = (await tenantFor(accountIn((await install()).html)!))!;
    const clients = new TenantClients(tokenDeps());
    const stripe = await clients.forTenant(tenant.id);
    expect((await stripe.accounts.retrieveCurrent()).id).toBe(tenant.stripeAccountId);
    // Close to expiry: the next client comes with a refreshed token.
    await env.stack.db.pool.query(
      `UPDATE credentials SET valid_until = now() + interval '1 minute' WHERE tenant_id = $1 AND kind = 'oauth_access_token'`,
      [tenant.id],
    );
    clients.forget(tenant.id);
    const before = await env.stack.db.prisma.credential.findFirstOrThrow({
      where: { tenantId: tenant.id, kind: 'oauth_access_token' },
    });
    const again = await clients.forTenant(tenant.id);
    const after = await env.stack.db.prisma.credential.findFirstOrThrow({
      where: { tenantId: tenant.id, kind: 'oauth_access_token' },
    });
    expect(after.ciphertext).not.toBe(before.ciphertext);
    expect(after.validUntil!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect((await again.accounts.retrieveCurrent()).id).toBe(tenant.stripeAccountId);
  });

  it('serializes concurrent refreshes: both succeed, no rotated-out token is used', async () => {
    const tenant = (await tenantFor(accountIn((await install()).html)!))!;
    const tokens = await Promise.all([
      refreshAccessToken(tokenDeps(), tenant.id, { force: true }),
      refreshAccessToken(tokenDeps(), tenant.id, { force: true }),
      refreshAccessToken(tokenDeps(), tenant.id, { force: true }),
    ]);
    expect(new Set(tokens).size).toBe(3);
    expect(await tenantFor(tenant.stripeAccountId)).toMatchObject({ status: 'active' });
    // Without force, callers that waited on the lock reuse the fresh token.
    const again = await Promise.all([
      refreshAccessToken(tokenDeps(), tenant.id),
      refreshAccessToken(tokenDeps(), tenant.id),
    ]);
    expect(again[0]).toBe(again[1]);
  });

  it('a revoked grant disconnects the tenant with the reason', async () => {
    const tenant = (await tenantFor(accountIn((await install()).html)!))!;
    await fetch(`${emu.emulator.url}/v1/oauth/deauthorize`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${DEFAULT_KEYS.test}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        client_id: 'ca_emulator_platform',
        stripe_user_id: tenant.stripeAccountId,
      }).toString(),
    });
    await expect(refreshAccessToken(tokenDeps(), tenant.id, { force: true })).rejects.toMatchObject(
      {
        code: 'forbidden',
      },
    );
    const after = await tenantFor(tenant.stripeAccountId);
    expect(after).toMatchObject({ status: 'disconnected' });
    expect(after!.statusReason).toContain('oauth_invalid_grant');
    expect(await env.stack.db.prisma.credential.count({ where: { tenantId: tenant.id } })).toBe(0);
  });
});

describe('platform install', () => {
  async function platformCallback(
    sign: (p: { state: string; user_id: string; account_id: string }) => string,
  ) {
    const { to } = await startInstall('mode=test&flow=platform');
    const state = to!.searchParams.get('state')!;
    const account = emu.emulator.state.createAccount(emu.emulator.platformAccountId).id;
    const p = { state, user_id: 'usr_installer1', account_id: account };
    const url = new URL(`${env.stack.api.url}/oauth/callback`);
    for (const [k, v] of Object.entries({ ...p, install_signature: sign(p) }))
      url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    return { status: res.status, html: await res.text(), account };
  }

  it('verifies install_signature over {state, user_id, account_id} and connects with the platform key', async () => {
    const done = await platformCallback((p) =>
      signatureHeader(
        APP_SECRETS[1]!,
        JSON.stringify({ state: p.state, user_id: p.user_id, account_id: p.account_id }),
      ),
    );
    expect(done.status).toBe(200);
    expect(await tenantFor(done.account)).toMatchObject({
      status: 'active',
      connectionType: 'platform',
    });
  });

  it('refuses a signature made with another secret, or over the keys in another order', async () => {
    const wrongSecret = await platformCallback((p) =>
      signatureHeader('absec_not_ours_000000', JSON.stringify(p)),
    );
    expect(wrongSecret.status).toBe(401);
    expect(await tenantFor(wrongSecret.account)).toBeNull();
    const reordered = await platformCallback((p) =>
      signatureHeader(
        APP_SECRETS[0]!,
        JSON.stringify({ account_id: p.account_id, user_id: p.user_id, state: p.state }),
      ),
    );
    expect(reordered.status).toBe(401);
    expect(reordered.html).toContain('install signature');
  });
});
