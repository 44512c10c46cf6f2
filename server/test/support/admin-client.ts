// Calls to the admin API as support staff make them: a bearer token, JSON in and out.
import { ADMIN_TOKEN } from './emulator.ts';

export async function adminCall<T = Record<string, unknown>>(
  apiUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  opts: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  const res = await fetch(`${apiUrl}${path.startsWith('/') ? path : `/admin/v1/${path}`}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON (Bull Board's HTML) */
  }
  return { status: res.status, body: body as T, headers: res.headers };
}
