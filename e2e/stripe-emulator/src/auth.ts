// Authentication like Stripe's: a secret, restricted or OAuth access key (Bearer or Basic), and
// an optional Stripe-Account header naming an account connected to the key's account.
import type http from 'node:http';
import { StripeApiError } from './errors.ts';
import type { ApiKey, EmulatorState } from './state.ts';

export const mask = (key: string) =>
  `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

export function authenticate(state: EmulatorState, req: http.IncomingMessage) {
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
  const found: ApiKey | undefined = state.keys.get(key);
  if (!found) {
    throw new StripeApiError(
      401,
      'invalid_request_error',
      `Invalid API Key provided: ${mask(key)}`,
    );
  }
  if (found.expiresAt !== undefined && found.expiresAt <= Date.now()) {
    throw new StripeApiError(
      401,
      'invalid_request_error',
      `Expired API Key provided: ${mask(key)}. Access tokens expire; use your refresh token to get a new one.`,
      'api_key_expired',
    );
  }
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
  return { key: found, account, livemode: found.livemode, connected };
}
