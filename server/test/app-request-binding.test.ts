// A captured Stripe-Signature from the app authorizes the one request it was made for: its
// method, path and query, mode and body are bound through fetchStripeSignature's additional
// payload and checked here; a signature over the user and account alone is refused.
import { describe, expect, it } from 'vitest';
import { requestBinding, type RequestBinding } from '../src/app-api/request-binding.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import { APP_SECRETS, appSignature } from './support/emulator.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({
  worker: false,
  env: () => ({
    STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(','),
    NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'true',
  }),
});

async function merchant() {
  const account = stripeId('acct');
  await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  );
  return { account, user: stripeId('usr') };
}

/** Sends a request with a given signature header, as sent (path with query, body text). */
async function send(method: string, pathAndQuery: string, body: string, signature: string) {
  const res = await fetch(`${env.stack.api.url}${pathAndQuery}`, {
    method,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    ...(method === 'GET' ? {} : { body }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { details?: { reason?: string } } },
  };
}

describe('app request binding', () => {
  it('a signature made for one request does not authorize another', async () => {
    const m = await merchant();
    const q = `user_id=${m.user}&account_id=${m.account}&mode=test`;
    const getPath = `/app/v1/notification-destinations?${q}`;
    const getBinding = await requestBinding('GET', getPath, 'test', '');
    const sig = appSignature(m.user, m.account, { binding: getBinding });
    expect((await send('GET', getPath, '', sig)).status).toBe(200);

    const postBody = JSON.stringify({
      user_id: m.user,
      account_id: m.account,
      mode: 'test',
      url: 'https://hooks.example.com/a',
    });
    for (const [method, path, body] of [
      ['GET', `/app/v1/connection?${q}`, ''], // another path
      ['GET', `/app/v1/notification-destinations?${q}&extra=1`, ''], // another query
      [
        'GET',
        `/app/v1/notification-destinations?user_id=${m.user}&account_id=${m.account}&mode=live`,
        '',
      ], // another mode
      ['POST', '/app/v1/notification-destinations', postBody], // another method and body
    ] as const) {
      const res = await send(method, path, body, sig);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error?.details?.reason).toBe('signature_mismatch');
    }

    // A body changed after signing is refused; the body it was signed for goes through.
    const postBinding = await requestBinding(
      'POST',
      '/app/v1/notification-destinations',
      'test',
      postBody,
    );
    const postSig = appSignature(m.user, m.account, { binding: postBinding });
    const tampered = postBody.replace('hooks.example.com/a', 'attacker.example.com/x');
    expect(
      (await send('POST', '/app/v1/notification-destinations', tampered, postSig)).status,
    ).toBe(401);
    expect(
      (await send('POST', '/app/v1/notification-destinations', postBody, postSig)).status,
    ).toBe(201);
  });

  it('refuses a signature over the user and account alone, naming why', async () => {
    const m = await merchant();
    const path = `/app/v1/connection?user_id=${m.user}&account_id=${m.account}&mode=test`;
    const res = await send('GET', path, '', appSignature(m.user, m.account));
    expect(res.status).toBe(401);
    expect(res.body.error?.details?.reason).toBe('unbound_signature');
  });

  it('accepts the binding before or after the identity (either order binds the same values)', async () => {
    const m = await merchant();
    const path = `/app/v1/connection?user_id=${m.user}&account_id=${m.account}&mode=test`;
    const b: RequestBinding = await requestBinding('GET', path, 'test', '');
    const after = signatureHeader(
      APP_SECRETS[0]!,
      JSON.stringify({ ...b, user_id: m.user, account_id: m.account }),
    );
    expect((await send('GET', path, '', after)).status).toBe(200);
  });
});
