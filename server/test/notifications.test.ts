// Dispute notifications (DISPUTE.STATUS) to a merchant's receiver: the normalized fields, signed
// with the destination's secret (both headers during a rotation), in order per dispute, retried
// until the receiver recovers, dead-lettered and redelivered, and never to internal addresses
// unless config allows it.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPublicDestination } from '../src/notifications/address-guard.ts';
import { adminCall } from './support/admin-client.ts';
import { DEFAULT_KEYS, restrictedKeyMerchant } from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { verifyDisputeNotification } from '../../docs/examples/verify-dispute-notification.mjs';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({
  NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'true',
  NOTIFICATION_MAX_ATTEMPTS: '3',
  NOTIFICATION_BACKOFF_MS: '50',
  STRIPE_RATE_LIMIT_TEST: '0',
});

interface Received {
  path: string;
  body: Record<string, unknown>;
  raw: string;
  headers: http.IncomingHttpHeaders;
}
const received: Received[] = [];
/** Per path: statuses to answer, in order (then 200). */
const scripted = new Map<string, number[]>();
let receiver: http.Server;
let receiverUrl: string;
beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const status = scripted.get(req.url ?? '')?.shift() ?? 200;
      if (status === 200)
        received.push({
          path: req.url ?? '',
          raw,
          body: JSON.parse(raw) as Record<string, unknown>,
          headers: req.headers,
        });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => receiver.close(r)));

const admin = <T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown) =>
  adminCall<T>(env.stack.api.url, method, path, { body });

async function merchantWithDestination(path: string) {
  const { account, key } = await restrictedKeyMerchant(emu);
  const { tenantId } = (
    await admin<{ tenantId: string }>('POST', 'connections/api-key', { apiKey: key })
  ).body;
  const dest = await admin<{ id: string; signingSecret: string }>(
    'POST',
    `tenants/${tenantId}/notification-destinations`,
    { url: `${receiverUrl}${path}` },
  );
  expect(dest.status).toBe(201);
  return { account, tenantId, destination: dest.body };
}

const platform = () =>
  new Stripe(DEFAULT_KEYS.test, { host: '127.0.0.1', port: emu.emulator.port, protocol: 'http' });
const sign = (secret: string, t: string, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('base64');
const at = (path: string) => received.filter((r) => r.path === path);

describe('dispute notifications', () => {
  it('deliver the normalized DISPUTE.STATUS fields, signed with the destination secret', async () => {
    const { account, tenantId, destination } = await merchantWithDestination('/signed');
    expect(destination.signingSecret).toMatch(/^ddwhsec_/);
    const listed = await admin<{ data: Array<Record<string, unknown>> }>(
      'GET',
      `tenants/${tenantId}/notification-destinations`,
    );
    expect(JSON.stringify(listed.body)).not.toContain(destination.signingSecret);
    const pi = await platform().paymentIntents.create(
      {
        amount: 4200,
        currency: 'usd',
        payment_method: 'pm_card_createDispute',
        confirm: true,
        metadata: { order_id: 'ORD-77' },
      },
      { stripeAccount: account },
    );
    const [got] = await waitFor(() => (at('/signed').length > 0 ? at('/signed') : null), {
      what: 'the notification',
    });
    expect(got!.body).toMatchObject({
      version: '1',
      eventType: 'DISPUTE.STATUS',
      type: 'DISPUTE',
      status: 'OPEN',
      accountId: account,
      transactionId: pi.id,
      orderId: 'ORD-77',
      paymentMethod: { brand: 'visa' },
      processor: 'STRIPE',
      reason: 'FRAUD',
      reasonCode: '10.4',
      processorReason: 'fraudulent',
      amount: 4200,
      currency: 'USD',
    });
    expect(String(got!.body.disputeId)).toMatch(/^du_/);
    // The card's last four come from the charge: known unless the charge's event is still in flight.
    expect(['0259', null]).toContain((got!.body.paymentMethod as { last4: string | null }).last4);
    expect(got!.body.challengeRequiredBy).toBeTruthy();
    const t = String(got!.headers['x-signature-timestamp']);
    expect(got!.headers['x-signature-primary']).toBe(sign(destination.signingSecret, t, got!.raw));
    expect(got!.headers['x-signature-secondary']).toBeUndefined();
    // The receiver's code in docs/NOTIFICATIONS.md accepts it, and refuses a tampered body.
    expect(verifyDisputeNotification(got!.raw, got!.headers, destination.signingSecret)).toBe(true);
    expect(verifyDisputeNotification(`${got!.raw} `, got!.headers, destination.signingSecret)).toBe(
      false,
    );
    expect(verifyDisputeNotification(got!.raw, got!.headers, 'ddwhsec_someone_else')).toBe(false);
  });

  it('keep their order per dispute through a failure, and sign with both secrets after a rotation', async () => {
    const { account, tenantId, destination } = await merchantWithDestination('/ordered');
    scripted.set('/ordered', [500, 500]); // the first notification's first two deliveries fail
    const stripe = platform();
    const pi = await stripe.paymentIntents.create(
      { amount: 3000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true },
      { stripeAccount: account },
    );
    const [dispute] = (
      await stripe.disputes.list({ payment_intent: pi.id }, { stripeAccount: account })
    ).data;
    const rotated = await admin<{ signingSecret: string }>(
      'POST',
      `tenants/${tenantId}/notification-destinations/${destination.id}/rotate-secret`,
    );
    // Events arrive in any order: wait until the dispute's opening is recorded (its notification
    // failing and retrying now) before the merchant answers the dispute.
    await waitFor(async () => {
      const { rows } = await env.stack.db.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1',
        [tenantId],
      );
      return rows[0]!.n === 1;
    });
    await stripe.disputes.update(
      dispute!.id,
      { evidence: { uncategorized_text: 'the goods were delivered' } },
      { stripeAccount: account },
    );
    const got = await waitFor(() => (at('/ordered').length >= 2 ? at('/ordered') : null), {
      what: 'two notifications',
    });
    expect(got.map((g) => g.body.status)).toEqual(['OPEN', 'CHALLENGED']);
    const last = got[1]!;
    const t = String(last.headers['x-signature-timestamp']);
    expect(last.headers['x-signature-primary']).toBe(sign(rotated.body.signingSecret, t, last.raw));
    expect(last.headers['x-signature-secondary']).toBe(
      sign(destination.signingSecret, t, last.raw),
    );
    // During the overlap a receiver still on the old secret accepts it, as does one on the new.
    expect(verifyDisputeNotification(last.raw, last.headers, destination.signingSecret)).toBe(true);
    expect(verifyDisputeNotification(last.raw, last.headers, rotated.body.signingSecret)).toBe(
      true,
    );
  });

  it('are dead-lettered when the receiver keeps failing, then redelivered on request', async () => {
    const { account, tenantId } = await merchantWithDestination('/down');
    scripted.set('/down', [500, 503, 500]);
    await platform().paymentIntents.create(
      {
        amount: 1500,
        currency: 'usd',
        payment_method: 'pm_card_createDisputeInquiry',
        confirm: true,
      },
      { stripeAccount: account },
    );
    const dead = await waitFor(
      async () => {
        const r = await admin<{ data: Array<{ id: string; attempts: number; lastError: string }> }>(
          'GET',
          `tenants/${tenantId}/notifications?status=dead`,
        );
        return r.body.data[0];
      },
      { what: 'the dead-lettered notification' },
    );
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toContain('answered 500');
    expect(at('/down')).toHaveLength(0);
    const again = await admin('POST', `tenants/${tenantId}/notifications/${dead.id}/redeliver`);
    expect(again.status).toBe(202);
    const [got] = await waitFor(() => (at('/down').length ? at('/down') : null), {
      what: 'the redelivery',
    });
    expect(got!.body).toMatchObject({ type: 'RETRIEVAL', status: 'OPEN' });
    expect(
      (await admin('POST', `tenants/${tenantId}/notifications/${dead.id}/redeliver`)).status,
    ).toBe(409);
  });
});

describe('destination addresses', () => {
  it('refuses private, loopback, link-local and unresolvable destinations unless allowed', async () => {
    for (const url of [
      'http://127.0.0.1/x',
      'http://10.1.2.3/x',
      'http://192.168.0.9/x',
      'http://169.254.169.254/latest',
      'http://[::1]/x',
      'http://localhost:8080/x',
      'http://[fd00::1]/x',
    ]) {
      await expect(assertPublicDestination(url, false), url).rejects.toMatchObject({
        code: 'bad_request',
      });
    }
    await expect(assertPublicDestination('ftp://93.184.216.34/x', false)).rejects.toThrow(
      'http(s)',
    );
    await expect(assertPublicDestination('https://user:pw@93.184.216.34/x', false)).rejects.toThrow(
      'credentials',
    );
    expect((await assertPublicDestination('https://93.184.216.34/hook', false)).hostname).toBe(
      '93.184.216.34',
    );
    expect((await assertPublicDestination('http://127.0.0.1/x', true)).hostname).toBe('127.0.0.1');
  });
});
