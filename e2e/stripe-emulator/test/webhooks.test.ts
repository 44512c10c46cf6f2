// Webhook endpoints and delivery: signed like Stripe (verified with stripe-node), routed to the
// account's endpoints and the platform's Connect endpoints, filtered by type, retried on failure.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/emulator.ts';

const emu = useEmulator({ settings: { retryDelaysMs: [30, 30] } });
let receiver: http.Server;
let receiverUrl: string;
const received: Array<{ path: string; body: string; signature: string }> = [];
/** Per path: the statuses to answer, in order (then 200). */
const scripted = new Map<string, number[]>();

const client = (stripeAccount?: string) => emu.as(stripeAccount);

async function until<T>(fn: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        body,
        signature: String(req.headers['stripe-signature']),
      });
      const next = scripted.get(req.url ?? '')?.shift() ?? 200;
      res.writeHead(next).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
});

describe('webhook endpoints', () => {
  it('shows the whsec_ secret only on creation', async () => {
    const endpoint = await client().webhookEndpoints.create({
      url: `${receiverUrl}/crud`,
      enabled_events: ['customer.created'],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await client().webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();
    expect(await client().webhookEndpoints.del(endpoint.id)).toMatchObject({ deleted: true });
  });

  it('delivers signed events that stripe-node verifies, filtered by type', async () => {
    const stripe = client();
    const all = await stripe.webhookEndpoints.create({
      url: `${receiverUrl}/all`,
      enabled_events: ['*'],
    });
    const disputesOnly = await stripe.webhookEndpoints.create({
      url: `${receiverUrl}/disputes`,
      enabled_events: ['charge.dispute.created'],
    });
    const customer = await stripe.customers.create({ email: 'hook@example.com' });
    const delivery = await until(
      () => received.find((r) => r.path === '/all' && r.body.includes(customer.id)),
      'delivery',
    );
    const evt = stripe.webhooks.constructEvent(delivery.body, delivery.signature, all.secret!);
    expect(evt).toMatchObject({ type: 'customer.created', data: { object: { id: customer.id } } });
    expect(received.some((r) => r.path === '/disputes' && r.body.includes(customer.id))).toBe(
      false,
    );
    const pi = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_createDispute',
      confirm: true,
    });
    const dispute = await until(
      () => received.find((r) => r.path === '/disputes' && r.body.includes(pi.id)),
      'dispute delivery',
    );
    expect(
      stripe.webhooks.constructEvent(dispute.body, dispute.signature, disputesOnly.secret!).type,
    ).toBe('charge.dispute.created');
    await stripe.webhookEndpoints.del(all.id);
    await stripe.webhookEndpoints.del(disputesOnly.id);
  });

  it('sends connected accounts’ events, with `account`, to the platform’s Connect endpoints only', async () => {
    const platform = client();
    const connectEndpoint = await platform.webhookEndpoints.create({
      url: `${receiverUrl}/connect`,
      enabled_events: ['*'],
      connect: true,
    });
    const ownEndpoint = await platform.webhookEndpoints.create({
      url: `${receiverUrl}/platform-own`,
      enabled_events: ['*'],
    });
    const account = await platform.accounts.create({ type: 'standard' });
    const c = await client(account.id).customers.create({ email: 'merchant@example.com' });
    const delivery = await until(
      () => received.find((r) => r.path === '/connect' && r.body.includes(c.id)),
      'connect delivery',
    );
    const evt = platform.webhooks.constructEvent(
      delivery.body,
      delivery.signature,
      connectEndpoint.secret!,
    );
    expect(evt.account).toBe(account.id);
    expect(received.some((r) => r.path === '/platform-own' && r.body.includes(c.id))).toBe(false);
    await platform.webhookEndpoints.del(connectEndpoint.id);
    await platform.webhookEndpoints.del(ownEndpoint.id);
  });

  it('retries a failing delivery with backoff until it succeeds, and gives up after the schedule', async () => {
    const stripe = client();
    scripted.set('/flaky', [500, 503]);
    scripted.set('/down', [500, 500, 500, 500]);
    const flaky = await stripe.webhookEndpoints.create({
      url: `${receiverUrl}/flaky`,
      enabled_events: ['customer.created'],
    });
    const down = await stripe.webhookEndpoints.create({
      url: `${receiverUrl}/down`,
      enabled_events: ['customer.created'],
    });
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    const [event] = (await stripe.events.list({ type: 'customer.created', limit: 1 })).data;
    expect((event!.data.object as { id: string }).id).toBe(customer.id);
    const attempts = (endpoint: string) =>
      emu.emulator.deliveries.filter((d) => d.eventId === event!.id && d.endpointId === endpoint);
    await until(
      () =>
        attempts(flaky.id).some((a) => a.final) && attempts(down.id).some((a) => a.final)
          ? true
          : undefined,
      'final attempts',
    );
    expect(attempts(flaky.id).map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(attempts(down.id).map((a) => [a.attempt, a.status, a.final])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 500, true],
    ]);
    const log = (await (
      await fetch(`${emu.emulator.url}/_emulator/deliveries?event=${event!.id}`)
    ).json()) as { data: unknown[] };
    expect(log.data).toHaveLength(6);
  });
});
