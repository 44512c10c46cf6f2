// Order per dispute under a failing receiver: while the dispute's first notification keeps
// failing, its second waits as a delayed job — sent neither before it nor in parallel, spending
// none of its attempts — and both arrive in order once the receiver recovers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminCall } from './support/admin-client.ts';
import { DEFAULT_KEYS, restrictedKeyMerchant } from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({
  NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'true',
  // 50 ms doubling over 9 attempts: about 25 s before the first would be dead-lettered.
  NOTIFICATION_MAX_ATTEMPTS: '9',
  NOTIFICATION_BACKOFF_MS: '50',
  STRIPE_RATE_LIMIT_TEST: '0',
});

let failOpen = true;
const received: Array<{ status: string; at: number }> = [];
let receiver: http.Server;
let url: string;
beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { status: string };
      if (body.status === 'OPEN' && failOpen) return res.writeHead(503).end();
      received.push({ status: body.status, at: Date.now() });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise((r) => receiver.close(r)));

it('holds a later notification until the earlier one of its dispute is delivered', async () => {
  const { account, key } = await restrictedKeyMerchant(emu);
  const api = env.stack.api.url;
  const { tenantId } = (
    await adminCall<{ tenantId: string }>(api, 'POST', 'connections/api-key', {
      body: { apiKey: key },
    })
  ).body;
  expect(
    (
      await adminCall(api, 'POST', `tenants/${tenantId}/notification-destinations`, {
        body: { url },
      })
    ).status,
  ).toBe(201);
  const stripe = new Stripe(DEFAULT_KEYS.test, {
    host: '127.0.0.1',
    port: emu.emulator.port,
    protocol: 'http',
  });
  const pi = await stripe.paymentIntents.create(
    { amount: 2000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true },
    { stripeAccount: account },
  );
  const pool = env.stack.db.pool;
  const rows = () =>
    pool
      .query<{ id: string; status: string; attempts: number; payload: { status: string } }>(
        'SELECT id::text, status, attempts, payload FROM notifications WHERE tenant_id = $1 ORDER BY id',
        [tenantId],
      )
      .then((r) => r.rows);
  // The OPEN notification fails a few times before the merchant answers the dispute.
  await waitFor(async () => ((await rows())[0]?.attempts ?? 0) >= 2, { what: 'failed attempts' });
  const [dispute] = (
    await stripe.disputes.list({ payment_intent: pi.id }, { stripeAccount: account })
  ).data;
  await stripe.disputes.update(
    dispute!.id,
    { evidence: { uncategorized_text: 'delivered to the customer' } },
    { stripeAccount: account },
  );
  const second = await waitFor(async () => (await rows())[1], { what: 'the second notification' });
  expect(second.payload.status).toBe('CHALLENGED');
  // Its job is parked as delayed, not failed, while the first is still failing.
  const job = await waitFor(
    async () => {
      const j = await env.stack.queues.notifications.getJob(`n-${second.id}`);
      return j && (await j.getState()) === 'delayed' ? j : null;
    },
    { what: 'the second job to wait' },
  );
  expect(job.attemptsMade).toBe(0);
  expect(received).toEqual([]);

  failOpen = false;
  await waitFor(() => received.length === 2, { what: 'both deliveries' });
  expect(received.map((r) => r.status)).toEqual(['OPEN', 'CHALLENGED']);
  // The receiver answers before the worker records the delivery: wait for the record.
  const final = await waitFor(
    async () => {
      const r = await rows();
      return r.every((n) => n.status === 'delivered') ? r : null;
    },
    { what: 'both recorded as delivered' },
  );
  expect(final[1]!.attempts).toBe(1);
});
