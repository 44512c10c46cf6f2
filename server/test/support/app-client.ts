// Requests as the Stripe App's UI extension makes them: the identity in the query (GET) or body,
// and the Stripe-Signature of fetchStripeSignature(binding) over {user_id, account_id} and the
// request's method, path, mode and body hash.
import { requestBinding, type RequestBinding } from '../../src/app-api/request-binding.ts';
import { appSignature } from './emulator.ts';

export interface AppIdentity {
  user: string;
  account: string;
  mode?: 'test' | 'live';
}

export interface AppAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export async function appCall<T = Record<string, unknown>>(
  apiUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  identity: AppIdentity,
  opts: {
    body?: Record<string, unknown>;
    query?: Record<string, string>;
    /** A header (null: none), or one made from the request's binding; default: signed right. */
    signature?: string | null | ((binding: RequestBinding) => string);
    origin?: string;
  } = {},
): Promise<AppAnswer<T>> {
  const ids = {
    user_id: identity.user,
    account_id: identity.account,
    mode: identity.mode ?? 'test',
  };
  const url = new URL(`${apiUrl}${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  if (method === 'GET') for (const [k, v] of Object.entries(ids)) url.searchParams.set(k, v);
  const body = method === 'GET' ? '' : JSON.stringify({ ...ids, ...opts.body });
  const binding = await requestBinding(method, `${url.pathname}${url.search}`, ids.mode, body);
  const signature =
    opts.signature === undefined
      ? appSignature(identity.user, identity.account, { binding })
      : typeof opts.signature === 'function'
        ? opts.signature(binding)
        : opts.signature;
  const res = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'stripe-signature': signature } : {}),
      ...(opts.origin ? { origin: opts.origin } : {}),
    },
    ...(method === 'GET' ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
}
