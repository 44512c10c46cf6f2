// OAuth as a Stripe App (or Connect platform) sees it: an authorize page with Install and Cancel
// that redirects back with `code` and `state` (or `error=access_denied`); `POST /v1/oauth/token`
// exchanges a single-use code (authorization_code) or a refresh token (refresh_token, rotated on
// every use) for an access token that expires after a configurable time; the mode is the mode of
// the platform key used, as with Stripe. `POST /v1/oauth/deauthorize` revokes the connection.
import { emit, str, type RequestContext } from './context.ts';
import { StripeApiError } from './errors.ts';
import type { Route } from './router.ts';
import type { OAuthConnection } from './oauth-state.ts';
import { newId, type Account, type EmulatorState } from './state.ts';

export class OAuthError extends StripeApiError {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(400, 'invalid_request_error', description);
  }

  override toJSON() {
    return { error: this.error, error_description: this.description } as never;
  }
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, body: string) {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto"><h1>${escape(title)}</h1>${body}</body></html>`,
  };
}

function redirect(to: URL) {
  return { status: 302, headers: { location: to.toString() }, body: '' };
}

export class OAuthPages {
  constructor(
    private state: EmulatorState,
    private platformId: string,
  ) {}

  handle(method: string, url: URL, raw: string) {
    const q = method === 'POST' ? new URLSearchParams(raw) : url.searchParams;
    const path = url.pathname.replace(/^\/oauth(\/v2)?/, '');
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    const state = q.get('state') ?? '';
    // An install started from the Dashboard or the Marketplace is for one mode and carries no
    // state of the app's (the app's own install links add theirs). `mode=sandbox`: an install in
    // one of the user's sandboxes, which runs through the app's managed sandbox.
    const mode = q.get('mode');
    const platformId =
      mode === 'sandbox' && this.state.oauth.sandboxPlatform
        ? this.state.oauth.sandboxPlatform
        : this.platformId;
    if (clientId !== this.state.oauth.clientId) {
      return page(
        400,
        'Invalid client',
        `<p>Unknown client_id <code>${escape(clientId)}</code>.</p>`,
      );
    }
    let target: URL;
    try {
      target = new URL(redirectUri);
      if (!/^https?:$/.test(target.protocol)) throw new Error('scheme');
    } catch {
      return page(400, 'Invalid redirect URI', '<p>redirect_uri must be an http(s) URL.</p>');
    }
    if (method === 'GET' && path === '/authorize') {
      const account = q.get('stripe_user_id') ?? '';
      const hidden = (name: string, value: string) =>
        `<input type="hidden" name="${name}" value="${escape(value)}">`;
      const fields =
        hidden('client_id', clientId) +
        hidden('redirect_uri', redirectUri) +
        hidden('state', state) +
        (mode === 'test' || mode === 'live' || mode === 'sandbox' ? hidden('mode', mode) : '');
      // Like Stripe's page, the user chooses which of their accounts to connect: here any account
      // not connected to another platform, or a new one.
      const choices = [...this.state.accounts.values()].filter(
        (a) => a.id !== platformId && (a.platform === null || a.platform === platformId),
      );
      const chooser = account
        ? `<strong>${escape(account)}</strong>${hidden('stripe_user_id', account)}`
        : `<select name="stripe_user_id" aria-label="Account"><option value="">A new emulated account</option>${choices
            .map((a) => `<option value="${escape(a.id)}">${escape(a.id)}</option>`)
            .join('')}</select>`;
      return page(
        200,
        'Install DisputeDesk',
        `<p>DisputeDesk asks to read your disputes, payments, payouts and reports.</p>
<form method="post" action="/oauth/authorize/decision">${fields}<p><label>Account: ${chooser}</label></p>
<button name="decision" value="install">Install</button>
<button name="decision" value="cancel">Cancel</button></form>`,
      );
    }
    if (method === 'POST' && path === '/authorize/decision') {
      if (state) target.searchParams.set('state', state);
      if (q.get('decision') !== 'install') {
        target.searchParams.set('error', 'access_denied');
        target.searchParams.set('error_description', 'The user denied your request');
        return redirect(target);
      }
      const wanted = q.get('stripe_user_id');
      let account: Account | undefined = wanted ? this.state.accounts.get(wanted) : undefined;
      if (wanted && !account)
        return page(400, 'Unknown account', `<p>No account ${escape(wanted)}.</p>`);
      account ??= this.state.createAccount(platformId);
      account.platform = platformId;
      const code = newId('ac', 32);
      this.state.oauth.codes.set(code, {
        account: account.id,
        platform: platformId,
        expiresAt: Date.now() + 5 * 60_000,
        ...(mode === 'test' || mode === 'live' || mode === 'sandbox'
          ? { livemode: mode === 'live' }
          : {}),
      });
      target.searchParams.set('code', code);
      target.searchParams.set('scope', 'read_write');
      return redirect(target);
    }
    return page(404, 'Not found', '');
  }
}

function issue(ctx: RequestContext, conn: OAuthConnection) {
  const mode = ctx.livemode ? 'live' : 'test';
  const ttl = ctx.state.oauth.accessTokenTtlSeconds;
  const accessToken = `sk_${mode}_oauth_${newId('x', 32).slice(2)}`;
  const grant = ctx.state.oauth.grant;
  ctx.state.addKey(accessToken, conn.account, ctx.livemode, {
    expiresAt: Date.now() + ttl * 1000,
    ...(grant ? { permissions: grant, app: true } : {}),
  });
  const refreshToken = `rt_${newId('x', 40).slice(2)}`;
  ctx.state.oauth.refreshTokens.set(refreshToken, { ...conn, livemode: ctx.livemode });
  return {
    access_token: accessToken,
    expires_in: ttl,
    livemode: ctx.livemode,
    refresh_token: refreshToken,
    scope: 'read_write',
    stripe_publishable_key: `pk_${mode}_${conn.account.slice(5)}`,
    stripe_user_id: conn.account,
    token_type: 'bearer',
  };
}

function platformOnly(ctx: RequestContext) {
  if (ctx.connected || ctx.account.platform) {
    throw new OAuthError('invalid_client', 'Use your platform’s secret key for OAuth requests.');
  }
}

export const oauthRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/oauth/token',
    handle: (ctx) => {
      platformOnly(ctx);
      const grant = str(ctx.params.grant_type, 'grant_type');
      const { oauth } = ctx.state;
      if (grant === 'authorization_code') {
        const code = str(ctx.params.code, 'code') ?? '';
        const found = oauth.codes.get(code);
        if (found && found.platform !== ctx.account.id) {
          // Another platform's code (a sandbox install exchanged with the app's own test key, or
          // the reverse): refused, not spent.
          throw new OAuthError(
            'invalid_grant',
            `Authorization code ${code} does not belong to this platform: exchange it with the key of the platform the install was made with.`,
          );
        }
        if (found && found.platform === ctx.account.id && found.livemode === !ctx.livemode) {
          // The wrong mode's key does not spend the code: the app may retry with the other key.
          throw new OAuthError(
            'invalid_grant',
            `Authorization code ${code} was issued for a ${found.livemode ? 'live' : 'test'} mode install; exchange it with your ${found.livemode ? 'live' : 'test'} mode secret key.`,
          );
        }
        oauth.codes.delete(code);
        if (!found || found.platform !== ctx.account.id) {
          throw new OAuthError('invalid_grant', `Authorization code does not exist: ${code}`);
        }
        if (found.expiresAt < Date.now()) {
          throw new OAuthError('invalid_grant', `Authorization code expired: ${code}`);
        }
        const tokens = issue(ctx, found);
        const account = ctx.state.accounts.get(found.account)!;
        emit({ ...ctx, account, livemode: ctx.livemode }, 'account.application.authorized', {
          id: newId('ca'),
          object: 'application',
          created: Math.floor(Date.now() / 1000),
          name: 'DisputeDesk',
        });
        return tokens;
      }
      if (grant === 'refresh_token') {
        const token = str(ctx.params.refresh_token, 'refresh_token') ?? '';
        const found = oauth.refreshTokens.get(token);
        if (!found || found.platform !== ctx.account.id || found.livemode !== ctx.livemode) {
          throw new OAuthError('invalid_grant', `Invalid refresh token: ${token.slice(0, 8)}…`);
        }
        oauth.refreshTokens.delete(token); // rotated: each refresh token works once
        return issue(ctx, found);
      }
      throw new OAuthError(
        'unsupported_grant_type',
        `Unsupported grant type: ${grant ?? '(none)'}`,
      );
    },
  },
  {
    method: 'POST',
    path: '/v1/oauth/deauthorize',
    handle: (ctx) => {
      platformOnly(ctx);
      const accountId = str(ctx.params.stripe_user_id, 'stripe_user_id') ?? '';
      const account = ctx.state.accounts.get(accountId);
      if (!account || account.platform !== ctx.account.id) {
        throw new OAuthError('invalid_client', `No such user: ${accountId}`);
      }
      deauthorize(ctx.state, account, ctx.livemode);
      return { stripe_user_id: accountId };
    },
  },
];

/** Ends a connection (the platform's call or the merchant uninstalling the app). */
export function deauthorize(state: EmulatorState, account: Account, livemode: boolean) {
  const ctx: RequestContext = {
    state,
    account,
    livemode,
    connected: true,
    params: {},
    path: '/v1/oauth/deauthorize',
    requestId: newId('req', 14),
    idempotencyKey: null,
  };
  emit(ctx, 'account.application.deauthorized', {
    id: newId('ca'),
    object: 'application',
    created: Math.floor(Date.now() / 1000),
    name: 'DisputeDesk',
  });
  for (const [token, k] of state.keys)
    if (k.account === account.id && token.includes('_oauth_')) state.keys.delete(token);
  for (const [token, c] of state.oauth.refreshTokens)
    if (c.account === account.id) state.oauth.refreshTokens.delete(token);
  account.platform = null;
}
