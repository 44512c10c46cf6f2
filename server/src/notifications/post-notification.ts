// One signed POST of a notification body to a destination: the address guard (again at every
// delivery, since DNS can change), the destination's signing secrets, no redirects, a timeout.
// 2xx is success; anything else comes back as the reason, never thrown.
import type { Keyring } from '../crypto/keyring.ts';
import type { PrismaClient } from '../db.ts';
import { assertPublicDestination } from './address-guard.ts';
import { signingSecrets } from './destinations.ts';
import { signatureHeaders } from './sign.ts';

export interface PostDeps {
  prisma: PrismaClient;
  keyring: Keyring;
  settings: { timeoutMs: number; allowPrivateAddresses: boolean };
}

export interface PostResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
}

export async function postNotification(
  deps: PostDeps,
  target: { url: string; tenantId: string; destinationId: string },
  body: string,
): Promise<PostResult> {
  try {
    await assertPublicDestination(target.url, deps.settings.allowPrivateAddresses);
    const secrets = await signingSecrets(deps, target.tenantId, target.destinationId);
    const res = await fetch(target.url, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'DisputeDesk-Notifications/1',
        ...signatureHeaders(secrets, body),
      },
      signal: AbortSignal.timeout(deps.settings.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, httpStatus: res.status, error: ok ? null : `answered ${res.status}` };
  } catch (err) {
    const error =
      (err as Error).name === 'TimeoutError'
        ? `no answer within ${deps.settings.timeoutMs} ms`
        : (err as Error).message;
    return { ok: false, httpStatus: null, error };
  }
}
