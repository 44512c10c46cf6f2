// Stripe Apps OAuth at `POST /v1/oauth/token` with the platform key of the mode: exchange an
// install's code, or a refresh token (Stripe rotates it on every use), for an access token.
// Errors come in OAuth's shape (`{ error, error_description }`); an invalid grant is final.
import { AppError } from '../../errors.ts';
import { platformKey, type StripeSettings } from './stripe-client.ts';

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  stripeUserId: string;
  livemode: boolean;
  scope: string | null;
}

export class OAuthGrantError extends AppError {
  constructor(
    readonly grantError: string,
    description: string,
  ) {
    super('bad_request', `Stripe refused the grant (${grantError}): ${description}`, {
      reason: grantError,
    });
  }
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  stripe_user_id?: string;
  livemode?: boolean;
  scope?: string;
  error?: string | { message?: string; type?: string };
  error_description?: string;
}

export async function requestTokens(
  settings: StripeSettings,
  livemode: boolean,
  grant:
    | { grant_type: 'authorization_code'; code: string }
    | { grant_type: 'refresh_token'; refresh_token: string },
  sandbox = false,
): Promise<OAuthTokens> {
  let res: Response;
  try {
    res = await fetch(`${settings.apiBase}/v1/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${platformKey(settings, livemode, sandbox)}`,
        'content-type': 'application/x-www-form-urlencoded',
        'stripe-version': settings.apiVersion,
      },
      body: new URLSearchParams(grant).toString(),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (err) {
    throw new AppError(
      'storage_unavailable',
      'Stripe could not be reached for the token exchange.',
      undefined,
      { cause: err },
    );
  }
  const body = (await res.json().catch(() => ({}))) as TokenAnswer;
  if (!res.ok || !body.access_token) {
    if (typeof body.error === 'string') {
      throw new OAuthGrantError(body.error, body.error_description ?? 'no description');
    }
    if (res.status >= 500 || res.status === 429) {
      throw new AppError(
        'storage_unavailable',
        `Stripe answered ${res.status} to the token exchange; retry later.`,
      );
    }
    throw new OAuthGrantError('invalid_request', body.error?.message ?? `status ${res.status}`);
  }
  if (body.livemode !== undefined && body.livemode !== livemode) {
    throw new OAuthGrantError(
      'mode_mismatch',
      `expected a ${livemode ? 'live' : 'test'}-mode grant`,
    );
  }
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? '',
    expiresAt: new Date(Date.now() + (body.expires_in ?? 3600) * 1000),
    stripeUserId: body.stripe_user_id ?? '',
    livemode,
    scope: body.scope ?? null,
  };
}
