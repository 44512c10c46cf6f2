// The control API and what it switches on: accounts with their own keys, restricted keys and
// their permissions, Stripe's rate limits, injected failures and latency, idempotency keys, and
// duplicated or reordered webhook deliveries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEYS } from '../src/server.ts';
import { useEmulator } from './support/emulator.ts';

const emu = useEmulator({ rateLimit: true });
afterEach(async () => {
  await control('DELETE', 'faults');
  await control('POST', 'faults', { rateLimit: { enabled: false } });
});

async function control<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.emulator.url}/_emulator/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const client = (key: string, extra: Partial<Stripe.StripeConfig> = {}) => emu.client(key, extra);

async function newAccount() {
  const { body } = await control<{ id: string; keys: { test: string; live: string } }>(
    'POST',
    'accounts',
    {},
  );
  return body;
}

describe('control API', () => {
  it('describes the platform and makes accounts with their own keys', async () => {
    const info = await control<{ platform_account: string; oauth_client_id: string }>(
      'GET',
      'info',
    );
    expect(info.body.platform_account).toBe(emu.emulator.platformAccountId);
    expect(info.body.oauth_client_id).toMatch(/^ca_/);
    const account = await newAccount();
    expect(account.keys.test).toMatch(/^sk_test_/);
    const own = await client(account.keys.test).customers.create({ email: 'own@example.com' });
    // The platform sees the same object through Stripe-Account.
    const viaPlatform = await client(DEFAULT_KEYS.test).customers.retrieve(
      own.id,
      {},
      { stripeAccount: account.id },
    );
    expect(viaPlatform.id).toBe(own.id);
    // Another account's key does not.
    const other = await newAccount();
    await expect(client(other.keys.test).customers.retrieve(own.id)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('rejects unknown knobs and bad bodies with a clear message', async () => {
    expect(await control('POST', 'faults', { nope: 1 })).toMatchObject({
      status: 400,
      body: { error: { message: 'Unknown fault: nope' } },
    });
    expect(await control('POST', 'faults', { latencyMs: 'slow' })).toMatchObject({ status: 400 });
    const res = await fetch(`${emu.emulator.url}/_emulator/settings`, {
      method: 'POST',
      body: '[',
    });
    expect(res.status).toBe(400);
  });
});

describe('restricted keys', () => {
  it('allow what their permissions say and fail like Stripe outside them', async () => {
    const account = await newAccount();
    const { body } = await control<{ key: string }>('POST', 'keys', {
      account: account.id,
      permissions: { dispute: 'write', charge: 'read' },
    });
    expect(body.key).toMatch(/^rk_test_/);
    const rk = client(body.key);
    expect((await rk.disputes.list()).object).toBe('list');
    expect((await rk.charges.list()).object).toBe('list');
    const err = await rk.customers.list().catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ statusCode: 403, type: 'StripePermissionError' });
    expect((err as Error).message).toContain("'rak_customer_read'");
    await expect(rk.paymentIntents.create({ amount: 100, currency: 'usd' })).rejects.toMatchObject({
      statusCode: 403,
    });
    // read is not write
    const write = await fetch(`${emu.emulator.url}/v1/charges/ch_x`, {
      method: 'POST',
      headers: { authorization: `Bearer ${body.key}` },
    });
    expect(write.status).toBe(404); // no such route: POST /v1/charges/:id is not emulated
  });

  it('refuses unknown permission names', async () => {
    const account = await newAccount();
    expect(
      await control('POST', 'keys', { account: account.id, permissions: { disputez: 'read' } }),
    ).toMatchObject({ status: 400 });
  });
});

describe('rate limits', () => {
  it('answers 429 with Stripe headers past 25 requests/s in test mode, per account', async () => {
    await control('POST', 'faults', { rateLimit: { enabled: true, test: 25 } });
    const a = await newAccount();
    const b = await newAccount();
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${emu.emulator.url}/v1/customers`, {
          headers: { authorization: `Bearer ${a.keys.test}` },
        }),
      ),
    );
    const limited = statuses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(40);
    expect(statuses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(25);
    expect(limited[0]!.headers.get('stripe-rate-limited-reason')).toBe('global-rate');
    expect(await limited[0]!.json()).toMatchObject({ error: { code: 'rate_limit' } });
    // Another account has its own budget.
    const other = await fetch(`${emu.emulator.url}/v1/customers`, {
      headers: { authorization: `Bearer ${b.keys.test}` },
    });
    expect(other.status).toBe(200);
    // stripe-node maps the answer to its rate-limit error.
    const c = await newAccount();
    const settled = await Promise.allSettled(
      Array.from({ length: 60 }, () => client(c.keys.test).customers.list()),
    );
    const rejected = settled.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
  });
});

describe('injected faults', () => {
  it('fails the next N requests with 500, which stripe-node retries', async () => {
    const account = await newAccount();
    await control('POST', 'faults', { failNext: 2 });
    const retried = client(account.keys.test, { maxNetworkRetries: 3 });
    const customer = await retried.customers.create({ email: 'retry@example.com' });
    // Two failed attempts, one success, one customer: the idempotency key made the retry safe.
    expect(customer.email).toBe('retry@example.com');
    expect((await retried.customers.list({ email: 'retry@example.com' })).data).toHaveLength(1);
  });

  it('adds latency to every response', async () => {
    await control('POST', 'faults', { latencyMs: 150 });
    const started = Date.now();
    await fetch(`${emu.emulator.url}/v1/customers`, {
      headers: { authorization: `Bearer ${DEFAULT_KEYS.test}` },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('idempotency keys', () => {
  it('replays the first answer for the same key and parameters, and refuses other parameters', async () => {
    const account = await newAccount();
    const stripe = client(account.keys.test);
    const first = await stripe.customers.create(
      { email: 'idem@example.com' },
      { idempotencyKey: 'k-1' },
    );
    const again = await stripe.customers.create(
      { email: 'idem@example.com' },
      { idempotencyKey: 'k-1' },
    );
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    await expect(
      stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: 'k-1' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    expect((await stripe.customers.list()).data).toHaveLength(1);
  });
});

describe('webhook faults', () => {
  let receiver: http.Server;
  let url: string;
  const got: string[] = [];
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push((JSON.parse(body) as { id: string }).id);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise((r) => receiver.close(r)));

  it('duplicates and reorders deliveries when asked', async () => {
    const account = await newAccount();
    const stripe = client(account.keys.test);
    await stripe.webhookEndpoints.create({ url, enabled_events: ['customer.created'] });
    await control('POST', 'faults', { webhookDuplicateRate: 1, webhookReorderMs: 200 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      await stripe.customers.create({ email: `r${i}@example.com` });
      ids.push((await stripe.events.list({ limit: 1 })).data[0]!.id);
    }
    const deadline = Date.now() + 5000;
    while (ids.some((id) => got.filter((g) => g === id).length < 2) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const id of ids) expect(got.filter((g) => g === id)).toHaveLength(2);
    const firstSeen = ids.map((id) => got.indexOf(id));
    expect(firstSeen).not.toEqual([...firstSeen].sort((x, y) => x - y));
  });
});
