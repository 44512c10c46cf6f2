// What an app request's signature binds besides the Dashboard user and account: the method, the
// path with its query, the mode and a SHA-256 of the body, sent as fetchStripeSignature's
// additional payload. A captured Stripe-Signature then authorizes that one request (for its
// 300 s), not any method, path, body or mode. Shared by the Stripe App (which signs) and the
// backend (which verifies): no imports, WebCrypto only, so it runs in the Dashboard too.

export interface RequestBinding {
  method: string;
  /** The path and query exactly as sent (`/app/v1/disputes?status=OPEN&user_id=…`). */
  path: string;
  mode: 'test' | 'live';
  /** Hex SHA-256 of the body's bytes as sent (of the empty string for GET). */
  body_sha256: string;
}

const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(text: string): Promise<string> {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

export async function requestBinding(
  method: string,
  path: string,
  mode: 'test' | 'live',
  body: string,
): Promise<RequestBinding> {
  return { method: method.toUpperCase(), path, mode, body_sha256: await sha256Hex(body) };
}

/**
 * The texts a signature may cover for this request: Stripe adds the additional payload to
 * `{ user_id, account_id }`; both key orders bind the same values, so either is accepted.
 */
export function signedTexts(userId: string, accountId: string, b: RequestBinding): string[] {
  return [
    JSON.stringify({ user_id: userId, account_id: accountId, ...b }),
    JSON.stringify({ ...b, user_id: userId, account_id: accountId }),
  ];
}
