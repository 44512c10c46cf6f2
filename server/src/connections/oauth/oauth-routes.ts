// The install endpoints a merchant's browser visits: /oauth/install sends it to Stripe (or the
// emulator) with a fresh state; /oauth/callback finishes an OAuth or a platform install, or
// explains clearly why it cannot. An install Stripe starts (the Marketplace, the Dashboard, a
// per-mode install link) arrives with a code and no state of ours: the code exchange with our
// platform key proves the account, so it is accepted — exchanged with the live key, then the test
// key, then the managed sandbox's key for an install in a sandbox (Stripe refuses a code with
// another key without spending it). A state, when present,
// is always verified. After installing, the merchant goes back to OAUTH_RETURN_URL (the Dashboard).
import express, { type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { storableInput } from '../../http/storable.ts';
import type { ConnectionDeps } from '../install-deps.ts';
import { completeOAuthInstall } from './install-oauth.ts';
import { completePlatformInstall } from './install-platform.ts';
import { consumeState, issueState } from './oauth-states.ts';
import { page, STATE_PAGES } from '../pages.ts';
import { OAuthGrantError } from '../credentials/stripe-oauth.ts';

const InstallQuery = z.object({
  mode: z.enum(['test', 'live']),
  flow: z.enum(['oauth', 'platform']).default('oauth'),
});

const CallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  user_id: z.string().max(100).optional(),
  account_id: z.string().max(100).optional(),
  install_signature: z.string().max(2000).optional(),
});

const STATE_STATUS = { missing: 400, unknown: 400, expired: 410, replayed: 409 } as const;

function html(res: Response, status: number, title: string, lines: string[]) {
  res.status(status).type('html').send(page(title, lines));
}

export function oauthRouter(deps: ConnectionDeps) {
  const router = express.Router();
  router.use('/oauth', storableInput);

  router.get('/oauth/install', (req, res) => {
    const q = InstallQuery.safeParse(req.query);
    if (!q.success)
      return html(res, 400, 'Unknown install mode', [
        'Use /oauth/install?mode=test or ?mode=live.',
      ]);
    if (!deps.oauth.clientId) {
      return html(res, 503, 'Installs are not configured', [
        'STRIPE_OAUTH_CLIENT_ID is not set on this server.',
      ]);
    }
    if (!deps.stripe.secretKeys[q.data.mode]) {
      return html(
        res,
        503,
        `${q.data.mode === 'live' ? 'Live' : 'Test'}-mode installs are not configured`,
        [
          `STRIPE_SECRET_KEY_${q.data.mode.toUpperCase()} is not set on this server, so it cannot complete a ${q.data.mode}-mode install.`,
        ],
      );
    }
    const state = issueState(deps.keyring, {
      livemode: q.data.mode === 'live',
      flow: q.data.flow,
      ttlSeconds: deps.oauth.stateTtlSeconds,
    });
    const to = new URL(deps.oauth.authorizeUrl);
    to.searchParams.set('client_id', deps.oauth.clientId);
    to.searchParams.set('redirect_uri', deps.oauth.redirectUri);
    to.searchParams.set('response_type', 'code');
    to.searchParams.set('state', state);
    res.set('cache-control', 'no-store').redirect(302, to.toString());
  });

  router.get('/oauth/callback', async (req, res) => {
    const q = CallbackQuery.safeParse(req.query);
    if (!q.success)
      return html(res, 400, 'This install link is malformed', [
        'Start the install again from Stripe.',
      ]);
    const { state, code, error, install_signature: signature } = q.data;
    if (state === undefined && code && !error && signature === undefined) {
      return finishStripeStartedInstall(deps, res, code);
    }
    const checked = await consumeState(deps, state);
    if (error) {
      // The merchant pressed Cancel (or Stripe refused); the state is spent either way. Stripe's
      // words are shown only on a callback that carries a valid state of ours: anyone can craft
      // a link to this page, and it must not say what they choose.
      return html(res, 200, 'Install cancelled', [
        'DisputeDesk was not connected to your Stripe account. You can install it again at any time.',
        ...(error === 'access_denied' || !checked.ok
          ? []
          : [`Stripe said: ${q.data.error_description ?? error}`]),
      ]);
    }
    if (!checked.ok) {
      const [title, lines] = STATE_PAGES[checked.problem];
      return html(res, STATE_STATUS[checked.problem], title, [...lines]);
    }
    try {
      let result;
      if (signature !== undefined || checked.flow === 'platform') {
        if (checked.flow !== 'platform' || !signature || !q.data.user_id || !q.data.account_id) {
          return html(res, 400, 'This install link does not match how it was started', [
            'Start the install again from Stripe.',
          ]);
        }
        result = await completePlatformInstall(deps, {
          state: state!,
          user_id: q.data.user_id,
          account_id: q.data.account_id,
          install_signature: signature,
          livemode: checked.livemode,
        });
      } else {
        if (!code)
          return html(res, 400, 'No authorization code', [
            'Stripe did not send an authorization code. Start the install again.',
          ]);
        result = await completeOAuthInstall(deps, { code, livemode: checked.livemode });
      }
      return connected(deps, res, result.tenant);
    } catch (err) {
      if (err instanceof OAuthGrantError) {
        const wrongMode = err.grantError === 'mode_mismatch';
        return html(res, 400, wrongMode ? 'Wrong mode' : 'Stripe did not accept this install', [
          wrongMode
            ? `This install was started for ${checked.livemode ? 'live' : 'test'} mode but Stripe answered for the other mode. Start again in the right mode.`
            : `Stripe refused the authorization (${err.grantError}). Start the install again.`,
        ]);
      }
      if (err instanceof AppError && err.status < 500) {
        return html(res, err.status, 'This install could not be completed', [err.message]);
      }
      throw err;
    }
  });

  return router;
}

/** Back to the Dashboard (OAUTH_RETURN_URL, `{mode_path}` → "" or "test/"), or a success page. */
function connected(
  deps: ConnectionDeps,
  res: Response,
  tenant: { stripeAccountId: string; livemode: boolean },
) {
  if (deps.oauth.returnUrl) {
    const back = new URL(
      deps.oauth.returnUrl
        .replaceAll('%7Bmode_path%7D', '{mode_path}')
        .replaceAll('{mode_path}', tenant.livemode ? '' : 'test/'),
    );
    back.searchParams.set('account', tenant.stripeAccountId);
    return res.redirect(302, back.toString());
  }
  return html(res, 200, 'DisputeDesk is connected', [
    `Your Stripe account ${tenant.stripeAccountId} (${tenant.livemode ? 'live' : 'test'} mode) is connected.`,
    'Your dispute history is loading now; open DisputeDesk in the Stripe Dashboard to follow it.',
  ]);
}

/**
 * An install Stripe started: the code alone, exchanged with each configured key until one takes
 * it — live, test, then the managed sandbox's (an install in one of the merchant's sandboxes).
 */
async function finishStripeStartedInstall(deps: ConnectionDeps, res: Response, code: string) {
  const keys = deps.stripe.secretKeys;
  const attempts = [
    { livemode: true, sandbox: false, key: keys.live },
    { livemode: false, sandbox: false, key: keys.test },
    { livemode: false, sandbox: true, key: keys.sandbox },
  ].filter((a) => a.key);
  let refusal: OAuthGrantError | null = null;
  for (const { livemode, sandbox } of attempts) {
    try {
      const { tenant } = await completeOAuthInstall(deps, { code, livemode, sandbox });
      return connected(deps, res, tenant);
    } catch (err) {
      if (!(err instanceof OAuthGrantError)) throw err;
      refusal = err;
      if (err.grantError !== 'invalid_grant' && err.grantError !== 'mode_mismatch') break;
    }
  }
  return html(res, 400, 'Stripe did not accept this install', [
    refusal
      ? `Stripe refused the authorization (${refusal.grantError}). Install DisputeDesk again from the Stripe Dashboard.`
      : 'This server has no Stripe key to complete the install with.',
  ]);
}
