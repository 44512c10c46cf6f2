// The emulator's core as the official stripe package sees it: keys and accounts, errors in
// Stripe's shape, list semantics with auto-pagination, and events for every change.
import type Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEYS } from '../src/server.ts';
import { useEmulator } from './support/emulator.ts';

const emu = useEmulator();
const client = (key: string = DEFAULT_KEYS.test, stripeAccount?: string) =>
  emu.client(key, stripeAccount ? { stripeAccount } : {});

describe('keys and accounts', () => {
  it('answers 401 with Stripe’s message for a missing or unknown key', async () => {
    const err = await client('sk_test_not_a_real_key_123')
      .customers.list()
      .catch((e: unknown) => e as Stripe.errors.StripeError);
    expect(err).toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    expect((err as Error).message).toMatch(/^Invalid API Key provided: sk_test_\*+_123$/);
    const res = await fetch(`${emu.emulator.url}/v1/customers`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe(
      'invalid_request_error',
    );
  });

  it('scopes objects to the account named by Stripe-Account, and refuses accounts of other platforms', async () => {
    const platform = client();
    const connected = await platform.accounts.create({ type: 'standard' });
    const asConnected = client(DEFAULT_KEYS.test, connected.id);
    const c = await asConnected.customers.create({ email: 'scoped@example.com' });
    expect((await asConnected.customers.retrieve(c.id)).id).toBe(c.id);
    await expect(platform.customers.retrieve(c.id)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
    await expect(
      client(DEFAULT_KEYS.test, 'acct_doesnotexist00').customers.list(),
    ).rejects.toMatchObject({
      statusCode: 403,
      code: 'account_invalid',
    });
    const events = await asConnected.events.list({ type: 'customer.created' });
    expect(events.data[0]).toMatchObject({ account: connected.id, data: { object: { id: c.id } } });
  });
});

describe('customers', () => {
  it('creates, retrieves, updates metadata, deletes — each with its event', async () => {
    const stripe = client();
    const c = await stripe.customers.create({
      email: 'jenny@example.com',
      name: 'Jenny',
      metadata: { order_id: 'A1', keep: 'x' },
    });
    expect(c).toMatchObject({
      object: 'customer',
      email: 'jenny@example.com',
      livemode: false,
      metadata: { order_id: 'A1', keep: 'x' },
    });
    expect(c.id).toMatch(/^cus_/);
    const updated = await stripe.customers.update(c.id, {
      name: 'Jenny Rosen',
      metadata: { order_id: '' },
    });
    expect(updated).toMatchObject({ name: 'Jenny Rosen', metadata: { keep: 'x' } });
    expect(updated.metadata.order_id).toBeUndefined();
    const deleted = await stripe.customers.del(c.id);
    expect(deleted).toEqual({ id: c.id, object: 'customer', deleted: true });
    await expect(stripe.customers.retrieve(c.id)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
    });
    const types = (await stripe.events.list({ limit: 100 })).data
      .filter((e) => (e.data.object as { id: string }).id === c.id)
      .map((e) => e.type);
    expect(types).toEqual(['customer.deleted', 'customer.updated', 'customer.created']);
    const updatedEvent = (await stripe.events.list({ type: 'customer.updated', limit: 1 }))
      .data[0]!;
    expect(updatedEvent.data.previous_attributes).toMatchObject({ name: 'Jenny' });
  });
});

describe('list semantics', () => {
  let stripe: Stripe;
  let ids: string[]; // oldest first
  beforeAll(async () => {
    const account = await client().accounts.create({ type: 'express' });
    stripe = client(DEFAULT_KEYS.test, account.id);
    ids = [];
    for (let i = 0; i < 25; i++)
      ids.push((await stripe.customers.create({ email: `c${i}@example.com` })).id);
  });

  it('lists newest first with has_more and url, 10 by default', async () => {
    const page = await stripe.customers.list();
    expect(page.data.map((c) => c.id)).toEqual([...ids].reverse().slice(0, 10));
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
  });

  it('auto-paginates through every object exactly once', async () => {
    const all = await stripe.customers.list({ limit: 7 }).autoPagingToArray({ limit: 1000 });
    expect(all.map((c) => c.id)).toEqual([...ids].reverse());
  });

  it('pages with starting_after and ending_before', async () => {
    const newest = [...ids].reverse();
    const second = await stripe.customers.list({ limit: 5, starting_after: newest[4] });
    expect(second.data.map((c) => c.id)).toEqual(newest.slice(5, 10));
    const back = await stripe.customers.list({ limit: 5, ending_before: newest[10] });
    expect(back.data.map((c) => c.id)).toEqual(newest.slice(5, 10));
    expect(back.has_more).toBe(true);
    const last = await stripe.customers.list({ limit: 100, starting_after: newest[20] });
    expect(last).toMatchObject({ has_more: false });
    expect(last.data).toHaveLength(4);
  });

  it('handles the ends: nothing newer than the newest, nothing older than the oldest, exact pages', async () => {
    const newest = [...ids].reverse();
    expect(await stripe.customers.list({ ending_before: newest[0] })).toMatchObject({
      data: [],
      has_more: false,
    });
    expect(await stripe.customers.list({ starting_after: newest[24] })).toMatchObject({
      data: [],
      has_more: false,
    });
    const exact = await stripe.customers.list({ limit: 5, starting_after: newest[19] });
    expect(exact.data.map((c) => c.id)).toEqual(newest.slice(20));
    expect(exact.has_more).toBe(false);
    const top = await stripe.customers.list({ limit: 3, ending_before: newest[3] });
    expect(top.data.map((c) => c.id)).toEqual(newest.slice(0, 3));
    expect(top.has_more).toBe(false);
  });

  it('keeps a cursor valid when a filter excludes it', async () => {
    const newest = [...ids].reverse();
    const page = await stripe.customers.list({
      email: 'c3@example.com',
      starting_after: newest[0],
    });
    expect(page.data.map((c) => c.id)).toEqual([ids[3]]);
  });

  it('filters by created', async () => {
    const all = await stripe.customers.list({ limit: 100 });
    const t = all.data[0]!.created;
    const since = await stripe.customers.list({ limit: 100, created: { gte: t } });
    expect(since.data.every((c) => c.created >= t)).toBe(true);
    expect((await stripe.customers.list({ limit: 100, created: { gt: t } })).data).toHaveLength(0);
  });

  it('refuses a limit outside 1–100 and an unknown cursor, like Stripe', async () => {
    await expect(stripe.customers.list({ limit: 0 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'limit',
    });
    await expect(stripe.customers.list({ limit: 101 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'limit',
    });
    await expect(stripe.customers.list({ starting_after: 'cus_nope' })).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'starting_after',
    });
  });

  it('answers an unknown route with Stripe’s 404', async () => {
    const res = await fetch(`${emu.emulator.url}/v1/nothing_here`, {
      headers: { authorization: `Bearer ${DEFAULT_KEYS.test}` },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /Unrecognized request URL/,
    );
  });
});
