// OAuth as the product's install flow uses it: the authorize page's Install and Cancel, the
// code exchange, expiring access tokens, rotated refresh tokens, and deauthorization.
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEYS } from '../src/server.ts';
import { useEmulator } from './support/emulator.ts';

const emu = useEmulator();
let clientId: string;
const REDIRECT = 'http://127.0.0.1:9/oauth/callback';

beforeAll(() => {
  clientId = emu.emulator.state.oauth.clientId;
});

async function decide(decision: 'install' | 'cancel', extra: Record<string, string> = {}) {
  const res = await fetch(`${emu.emulator.url}/oauth/authorize/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      state: 'st-123',
      decision,
      ...extra,
    }).toString(),
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function token(params: Record<string, string>, key = DEFAULT_KEYS.test) {
  const res = await fetch(`${emu.emulator.url}/v1/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const as = (key: string) =>
  new Stripe(key, {
    host: '127.0.0.1',
    port: emu.emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });

describe('OAuth', () => {
  it('shows an authorize page with Install and Cancel', async () => {
    const res = await fetch(
      `${emu.emulator.url}/oauth/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=s1`,
    );
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('>Install</button>');
    expect(html).toContain('>Cancel</button>');
  });

  it('lets the user choose an unconnected account, or a new one', async () => {
    const mine = emu.emulator.state.createAccount();
    const theirs = emu.emulator.state.createAccount('acct_someotherplatform');
    const html = await (
      await fetch(
        `${emu.emulator.url}/oauth/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=s2`,
      )
    ).text();
    expect(html).toContain('<option value="">A new emulated account</option>');
    expect(html).toContain(`<option value="${mine.id}">`);
    expect(html).not.toContain(theirs.id);
  });

  it('refuses an unknown client or a bad redirect URI', async () => {
    const bad = await fetch(
      `${emu.emulator.url}/oauth/authorize?client_id=ca_nope&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect(bad.status).toBe(400);
    const noRedirect = await fetch(
      `${emu.emulator.url}/oauth/authorize?client_id=${clientId}&redirect_uri=javascript:alert(1)`,
    );
    expect(noRedirect.status).toBe(400);
  });

  it('Cancel redirects back with error=access_denied and the state', async () => {
    const back = await decide('cancel');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('Install gives a single-use code; the exchange gives tokens for the new account', async () => {
    const back = await decide('install');
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-123');
    const code = back.searchParams.get('code')!;
    const first = await token({ grant_type: 'authorization_code', code });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      livemode: false,
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'read_write',
    });
    const accountId = first.body.stripe_user_id as string;
    const me = await as(first.body.access_token as string).accounts.retrieveCurrent();
    expect(me.id).toBe(accountId);
    // The platform now reaches the account with Stripe-Account, and saw it authorize the app.
    const events = await as(DEFAULT_KEYS.test).events.list({}, { stripeAccount: accountId });
    expect(events.data.map((e) => e.type)).toContain('account.application.authorized');
    // Replay of the same code is refused the OAuth way.
    const replay = await token({ grant_type: 'authorization_code', code });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a code exchanged with the live key gives live tokens', async () => {
    const code = (await decide('install')).searchParams.get('code')!;
    const live = await token({ grant_type: 'authorization_code', code }, DEFAULT_KEYS.live);
    expect(live.body).toMatchObject({ livemode: true });
    expect(live.body.access_token).toMatch(/^sk_live_/);
  });

  it('a code from an install started for one mode is refused, not spent, by the other mode’s key', async () => {
    const code = (await decide('install', { mode: 'test' })).searchParams.get('code')!;
    const wrong = await token({ grant_type: 'authorization_code', code }, DEFAULT_KEYS.live);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });
    expect(String(wrong.body.error_description)).toContain('test mode install');
    const right = await token({ grant_type: 'authorization_code', code });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ livemode: false });
    const spent = await token({ grant_type: 'authorization_code', code });
    expect(spent.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens: each works once and gives a new pair', async () => {
    const code = (await decide('install')).searchParams.get('code')!;
    const first = await token({ grant_type: 'authorization_code', code });
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);
    expect(refreshed.body.stripe_user_id).toBe(first.body.stripe_user_id);
    const reused = await token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token as string,
    });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // A test refresh token is no good with the live key.
    const crossMode = await token(
      { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token as string },
      DEFAULT_KEYS.live,
    );
    expect(crossMode.status).toBe(400);
  });

  it('access tokens expire after the configured time', async () => {
    await fetch(`${emu.emulator.url}/_emulator/settings`, {
      method: 'POST',
      body: JSON.stringify({ oauthAccessTokenTtlSeconds: 1 }),
    });
    try {
      const code = (await decide('install')).searchParams.get('code')!;
      const { body } = await token({ grant_type: 'authorization_code', code });
      expect(body.expires_in).toBe(1);
      const stripe = as(body.access_token as string);
      expect((await stripe.accounts.retrieveCurrent()).id).toBe(body.stripe_user_id);
      const deadline = Date.now() + 5000;
      let err: unknown;
      while (!err && Date.now() < deadline) {
        err = await stripe.accounts.retrieveCurrent().then(
          () => undefined,
          (e: unknown) => e,
        );
        if (!err) await new Promise((r) => setTimeout(r, 50));
      }
      expect(err).toMatchObject({ statusCode: 401, code: 'api_key_expired' });
    } finally {
      await fetch(`${emu.emulator.url}/_emulator/settings`, {
        method: 'POST',
        body: JSON.stringify({ oauthAccessTokenTtlSeconds: 3600 }),
      });
    }
  });

  it('deauthorize revokes the tokens and the platform’s access, with the event', async () => {
    const code = (await decide('install')).searchParams.get('code')!;
    const { body } = await token({ grant_type: 'authorization_code', code });
    const accountId = body.stripe_user_id as string;
    const res = await fetch(`${emu.emulator.url}/v1/oauth/deauthorize`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${DEFAULT_KEYS.test}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ client_id: clientId, stripe_user_id: accountId }).toString(),
    });
    expect(await res.json()).toEqual({ stripe_user_id: accountId });
    await expect(as(body.access_token as string).accounts.retrieveCurrent()).rejects.toMatchObject({
      statusCode: 401,
    });
    await expect(
      as(DEFAULT_KEYS.test).customers.list({}, { stripeAccount: accountId }),
    ).rejects.toMatchObject({ statusCode: 403, code: 'account_invalid' });
    const refresh = await token({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token as string,
    });
    expect(refresh.status).toBe(400);
    const types = [
      ...emu.emulator.state.newestFirst(emu.emulator.state.accounts.get(accountId)!, 'event'),
    ].map((e) => e.type);
    expect(types).toContain('account.application.deauthorized');
  });

  it('installs on an existing account when the page names it', async () => {
    const existing = emu.emulator.state.createAccount(null);
    const back = await decide('install', { stripe_user_id: existing.id });
    const { body } = await token({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
    });
    expect(body.stripe_user_id).toBe(existing.id);
  });
});
