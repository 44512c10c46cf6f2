// The webhook endpoints over real HTTP, Postgres and Redis: verification matrix, duplicates,
// unknown types, bad bodies, per-tenant endpoints with rotation, and unconnected accounts.
import { beforeAll, describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { storeWebhookSecret } from '../src/connections/credentials/webhook-secrets.ts';
import { charge, customer, dispute, event } from './support/fixtures.ts';
import { CONNECT_SECRETS, useStack } from './support/harness.ts';
import { post, sendEvent, type Sent } from './support/http.ts';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import { nowSeconds, stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';

const env = useStack();
const connectUrl = () => `${env.stack.api.url}/webhooks/stripe/connect`;

const deps = () => ({
  ...env.stack.enqueueDeps,
  prisma: env.stack.db.prisma,
  logger: env.stack.logger,
  keyring: env.stack.keyring,
});

async function connectedAccount(livemode = false) {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(deps(), {
    stripeAccountId: account,
    livemode,
    connectionType: 'oauth',
  });
  return { account, tenantId: tenant.id };
}

const rawEvent = (tenantId: string, stripeEventId: string) =>
  env.stack.db.prisma.rawEvent.findFirst({ where: { tenantId, stripeEventId } });

const rejectionCount = async (tenantId: string | null, reason: string) => {
  const { rows } = await env.stack.db.pool.query<{ n: number }>(
    'SELECT COALESCE(SUM(count), 0)::int AS n FROM webhook_rejection_counts WHERE tenant_id IS NOT DISTINCT FROM $1 AND reason = $2',
    [tenantId, reason],
  );
  return rows[0]!.n;
};

describe('Connect endpoint', () => {
  it('stores a verified event, answers 200, and processes it into a dispute', async () => {
    const { account, tenantId } = await connectedAccount();
    const d = dispute({ reason: 'fraudulent', brand: 'visa', networkReasonCode: '10.4' });
    const evt = event('charge.dispute.created', d, { account });
    const res = await sendEvent(connectUrl(), evt, CONNECT_SECRETS[0]!);
    expect(res).toEqual({
      status: 200,
      body: { received: true, id: evt.id, duplicate: false, status: 'received' },
    });
    const stored = await rawEvent(tenantId, evt.id);
    expect(stored).toMatchObject({
      type: 'charge.dispute.created',
      source: 'webhook_connect',
      livemode: false,
    });
    const row = await waitFor(
      () =>
        env.stack.db.prisma.dispute.findUnique({
          where: { tenantId_stripeId: { tenantId, stripeId: d.id } },
        }),
      {
        what: 'dispute row',
      },
    );
    expect(row).toMatchObject({
      type: 'DISPUTE',
      status: 'OPEN',
      reason: 'FRAUD',
      networkReasonCode: '10.4',
    });
    expect(await rawEvent(tenantId, evt.id)).toMatchObject({ status: 'processed', attempts: 1 });
  });

  it('stores payloads exactly as sent, pretty-printed and with escapes, when several share a batch', async () => {
    const { account, tenantId } = await connectedAccount();
    // Stripe's bodies are pretty-printed (raw line breaks between tokens); strings hold escaped
    // quotes, backslashes, control characters (U+0001 is what the batch's payloads are joined by)
    // and characters outside the BMP.
    const tricky = 'say "hi" \\ back\nline\ttab \u0001 end ✓ 😀';
    const events = Array.from({ length: 6 }, (_, i) =>
      event(
        'customer.created',
        customer({ name: `${tricky} #${i}`, metadata: { note: tricky, empty: '' } }),
        { account },
      ),
    );
    const bodies = events.map((evt, i) =>
      i % 2 === 0 ? JSON.stringify(evt, null, 2) : JSON.stringify(evt),
    );
    const answers = await Promise.all(
      bodies.map((body) =>
        post(connectUrl(), body, {
          'stripe-signature': signatureHeader(CONNECT_SECRETS[0]!, body),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
    for (const [i, evt] of events.entries()) {
      expect((await rawEvent(tenantId, evt.id))?.payload).toEqual(JSON.parse(JSON.stringify(evt)));
      // Byte for byte: the body Stripe signed, its spacing and key order kept (a json column).
      const { rows } = await env.stack.db.pool.query<{ text: string }>(
        'SELECT payload::text AS text FROM raw_events WHERE tenant_id = $1 AND stripe_event_id = $2',
        [tenantId, evt.id],
      );
      expect(rows[0]!.text).toBe(bodies[i]);
    }
    // …and the normalized rows keep the objects the same way (their upsert joins them too).
    for (const evt of events) {
      const object = evt.data.object as { id: string; name: string };
      const row = await waitFor(
        () =>
          env.stack.db.prisma.customer.findUnique({
            where: { tenantId_stripeId: { tenantId, stripeId: object.id } },
          }),
        { what: 'customer row' },
      );
      expect(row.raw).toEqual(JSON.parse(JSON.stringify(object)));
      expect(row.name).toBe(object.name);
    }
  });

  it('accepts a signature made with any configured secret (rotation) and several v1 values', async () => {
    const { account } = await connectedAccount();
    const byPrevious = await sendEvent(
      connectUrl(),
      event('customer.created', customer(), { account }),
      CONNECT_SECRETS[1]!,
    );
    expect(byPrevious.status).toBe(200);
    const mixed = await sendEvent(
      connectUrl(),
      event('customer.created', customer(), { account }),
      ['whsec_unknown_secret_x', CONNECT_SECRETS[0]!],
    );
    expect(mixed.status).toBe(200);
  });

  it('answers a duplicate delivery 200 and processes the event once', async () => {
    const { account, tenantId } = await connectedAccount();
    const d = dispute();
    const evt = event('charge.dispute.created', d, { account });
    const first = await sendEvent(connectUrl(), evt, CONNECT_SECRETS[0]!);
    const again = await Promise.all(
      [1, 2, 3].map(() => sendEvent(connectUrl(), evt, CONNECT_SECRETS[0]!)),
    );
    expect(first.body.duplicate).toBe(false);
    for (const r of again)
      expect(r).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    await waitFor(async () => (await rawEvent(tenantId, evt.id))?.status === 'processed');
    const { rows } = await env.stack.db.pool.query(
      'SELECT * FROM raw_events WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ attempts: 1 });
    const timeline = await env.stack.db.prisma.disputeTimeline.findMany({ where: { tenantId } });
    expect(timeline).toHaveLength(1);
  });

  it('stores unhandled event types as ignored and answers 200', async () => {
    const { account, tenantId } = await connectedAccount();
    const evt = event('balance.available', { id: stripeId('bal'), object: 'balance' }, { account });
    const res = await sendEvent(connectUrl(), evt, CONNECT_SECRETS[0]!);
    expect(res).toMatchObject({ status: 200, body: { received: true, status: 'ignored' } });
    expect(await rawEvent(tenantId, evt.id)).toMatchObject({ status: 'ignored' });
  });

  describe('refusals, each with a reason, counted per tenant', () => {
    const cases: Array<{
      name: string;
      reason: string;
      header: (body: string) => string | undefined;
    }> = [
      { name: 'missing header', reason: 'missing_signature_header', header: () => undefined },
      {
        name: 'malformed header',
        reason: 'malformed_signature_header',
        header: () => 'v1=abc,nonsense',
      },
      {
        name: 'no v1',
        reason: 'malformed_signature_header',
        header: () => `t=${nowSeconds()},v0=${'a'.repeat(64)}`,
      },
      {
        name: 'wrong secret',
        reason: 'signature_mismatch',
        header: (b) => sign('whsec_not_ours_at_all', b),
      },
      {
        name: 'tampered signature',
        reason: 'signature_mismatch',
        header: (b) =>
          sign(CONNECT_SECRETS[0]!, b).replace(
            /v1=(.)/,
            (_, c: string) => `v1=${c === '0' ? '1' : '0'}`,
          ),
      },
      {
        name: 'stale timestamp',
        reason: 'timestamp_too_old',
        header: (b) => sign(CONNECT_SECRETS[0]!, b, nowSeconds() - 301),
      },
      {
        name: 'future timestamp',
        reason: 'timestamp_in_future',
        header: (b) => sign(CONNECT_SECRETS[0]!, b, nowSeconds() + 301),
      },
    ];
    let sign: (secret: string, body: string, t?: number) => string;
    beforeAll(async () => {
      sign = (await import('../src/webhooks/verify-signature.ts')).signatureHeader;
    });

    it.each(cases)('$name → 400 $reason', async ({ reason, header }) => {
      const { account, tenantId } = await connectedAccount();
      const evt = event('charge.dispute.created', dispute(), { account });
      const body = JSON.stringify(evt);
      const h = header(body);
      const res = await post(connectUrl(), body, h ? { 'stripe-signature': h } : {});
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_signature', details: { reason } });
      expect(res.body.error?.message.length).toBeGreaterThan(10);
      expect(await rawEvent(tenantId, evt.id)).toBeNull();
      await waitFor(async () => (await rejectionCount(tenantId, reason)) >= 1, {
        what: `counter ${reason}`,
      });
    });

    it('invalid JSON with a valid signature → 400 invalid_json', async () => {
      const body = '{"id": "evt_1", "type": ';
      const res = await post(connectUrl(), body, {
        'stripe-signature': sign(CONNECT_SECRETS[0]!, body),
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_payload',
        details: { reason: 'invalid_json' },
      });
    });

    it('JSON that is not an event → 400 invalid_event naming the field', async () => {
      const body = JSON.stringify({
        id: 'evt_123',
        type: 'charge.succeeded',
        livemode: false,
        data: { object: {} },
      });
      const res = await post(connectUrl(), body, {
        'stripe-signature': sign(CONNECT_SECRETS[0]!, body),
      });
      expect(res.status).toBe(400);
      expect(res.body.error?.details?.reason).toBe('invalid_event');
      expect(res.body.error?.message).toMatch(/created/);
    });

    it('a Connect event without an account → 400 missing_account', async () => {
      const res = await sendEvent(
        connectUrl(),
        event('customer.created', customer()),
        CONNECT_SECRETS[0]!,
      );
      expect(res.status).toBe(400);
      expect(res.body.error?.details?.reason).toBe('missing_account');
    });

    it('an event processing could not store (a lone surrogate) is refused alone; events sent with it are stored', async () => {
      const { account, tenantId } = await connectedAccount();
      const good = Array.from({ length: 8 }, () =>
        event('customer.created', customer(), { account }),
      );
      // A lone UTF-16 surrogate: valid for JSON.parse, refused by Postgres's jsonb (every
      // normalized row). A literal backslash before `ud800` is not one, and is stored.
      const bad = JSON.stringify(event('customer.created', customer(), { account })).replace(
        '"name":"Jenny Rosen"',
        '"name":"\\ud800"',
      );
      const [badAnswer, ...goodAnswers] = await Promise.all([
        post(connectUrl(), bad, { 'stripe-signature': sign(CONNECT_SECRETS[0]!, bad) }),
        ...good.map((e) => sendEvent(connectUrl(), e, CONNECT_SECRETS[0]!)),
      ]);
      expect(badAnswer.status).toBe(400);
      expect(badAnswer.body.error?.code).toBe('invalid_payload');
      expect(badAnswer.body.error?.details?.reason).toBe('unstorable_json');
      expect(goodAnswers.map((a) => a.status)).toEqual(good.map(() => 200));
      expect(await env.stack.db.prisma.rawEvent.count({ where: { tenantId } })).toBe(8);
      await waitFor(async () => (await rejectionCount(tenantId, 'unstorable_json')) === 1);
      const literal = event('customer.created', customer({ name: 'C:\\ud800' }), { account });
      expect((await sendEvent(connectUrl(), literal, CONNECT_SECRETS[0]!)).status).toBe(200);
    });

    it('a body over 1 MiB → 413, counted', async () => {
      const { account, tenantId } = await connectedAccount();
      const big = customer({ description: 'x'.repeat(1024 * 1024) });
      const res = await sendEvent(
        connectUrl(),
        event('customer.updated', big, { account }),
        CONNECT_SECRETS[0]!,
      );
      expect(res.status).toBe(413);
      expect(res.body.error?.code).toBe('payload_too_large');
      await waitFor(async () => (await rejectionCount(null, 'payload_too_large')) >= 1);
      expect(await env.stack.db.prisma.rawEvent.count({ where: { tenantId } })).toBe(0);
    });

    it('a streamed body (no Content-Length) over 1 MiB → 413 as well, nothing stored', async () => {
      const { account, tenantId } = await connectedAccount();
      const body = JSON.stringify(
        event('customer.updated', customer({ description: 'y'.repeat(1100 * 1024) }), { account }),
      );
      const chunks = [body.slice(0, 500_000), body.slice(500_000)];
      const res = await fetch(connectUrl(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(CONNECT_SECRETS[0]!, body),
        },
        body: new ReadableStream({
          pull(c) {
            const next = chunks.shift();
            if (next === undefined) c.close();
            else c.enqueue(new TextEncoder().encode(next));
          },
        }),
        duplex: 'half',
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as Sent['body']).error?.code).toBe('payload_too_large');
      expect(await env.stack.db.prisma.rawEvent.count({ where: { tenantId } })).toBe(0);
    });
  });

  it('ignores a query string on the endpoint URL; other methods and deeper paths are 404', async () => {
    const { account, tenantId } = await connectedAccount();
    const evt = event('customer.created', customer(), { account });
    const res = await sendEvent(`${connectUrl()}?source=stripe`, evt, CONNECT_SECRETS[0]!);
    expect(res).toMatchObject({ status: 200, body: { id: evt.id, duplicate: false } });
    expect(await rawEvent(tenantId, evt.id)).not.toBeNull();
    const get = await fetch(connectUrl());
    expect(get.status).toBe(404);
    expect(((await get.json()) as Sent['body']).error?.code).toBe('not_found');
    const deeper = await post(`${env.stack.api.url}/webhooks/stripe/${tenantId}/extra`, '{}');
    expect(deeper).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('keeps events for an account that is not connected yet and processes them once it connects', async () => {
    const account = stripeId('acct');
    const d = dispute({ status: 'needs_response' });
    const c = charge({ id: d.charge as string, metadata: { order_id: 'ORD-77' } });
    const events = [
      event('charge.succeeded', c, { account }),
      event('charge.dispute.created', d, { account }),
    ];
    for (const e of events)
      expect((await sendEvent(connectUrl(), e, CONNECT_SECRETS[0]!)).status).toBe(200);
    const tenant = await env.stack.db.prisma.tenant.findUnique({
      where: { stripeAccountId_livemode: { stripeAccountId: account, livemode: false } },
    });
    expect(tenant).toMatchObject({ status: 'pending' });
    await waitFor(
      async () => {
        const rows = await env.stack.db.prisma.rawEvent.findMany({
          where: { tenantId: tenant!.id },
        });
        return rows.length === 2 && rows.every((r) => r.status === 'deferred');
      },
      { what: 'events deferred' },
    );
    expect(await env.stack.db.prisma.dispute.count({ where: { tenantId: tenant!.id } })).toBe(0);

    await activateTenant(deps(), {
      stripeAccountId: account,
      livemode: false,
      connectionType: 'oauth',
    });
    const row = await waitFor(
      () =>
        env.stack.db.prisma.dispute.findFirst({
          where: { tenantId: tenant!.id, orderId: { not: null } },
        }),
      {
        what: 'dispute with order id',
      },
    );
    expect(row).toMatchObject({
      stripeId: d.id,
      orderId: 'ORD-77',
      transactionId: d.payment_intent,
    });
  });
});

describe('per-tenant endpoint', () => {
  async function apiKeyTenant(livemode = false) {
    const { account, tenantId } = await connectedAccount(livemode);
    const secret = `whsec_${stripeId('x')}`;
    await storeWebhookSecret(deps(), tenantId, secret);
    return { account, tenantId, secret, url: `${env.stack.api.url}/webhooks/stripe/${tenantId}` };
  }

  it("verifies with the tenant's secret and stores the event", async () => {
    const t = await apiKeyTenant();
    const evt = event('customer.created', customer());
    const res = await sendEvent(t.url, evt, t.secret);
    expect(res.status).toBe(200);
    expect(await rawEvent(t.tenantId, evt.id)).toMatchObject({ source: 'webhook_direct' });
  });

  it("accepts the previous secret during the overlap after a rotation, and refuses other tenants' secrets", async () => {
    const t = await apiKeyTenant();
    const other = await apiKeyTenant();
    const rotated = `whsec_${stripeId('y')}`;
    await storeWebhookSecret(deps(), t.tenantId, rotated);
    expect((await sendEvent(t.url, event('customer.created', customer()), rotated)).status).toBe(
      200,
    );
    expect((await sendEvent(t.url, event('customer.created', customer()), t.secret)).status).toBe(
      200,
    );
    const cross = await sendEvent(t.url, event('customer.created', customer()), other.secret);
    expect(cross.status).toBe(400);
    expect(cross.body.error?.details?.reason).toBe('signature_mismatch');
    await waitFor(async () => (await rejectionCount(t.tenantId, 'signature_mismatch')) >= 1);
  });

  it('refuses the previous secret once its overlap has ended', async () => {
    const t = await apiKeyTenant();
    const rotated = `whsec_${stripeId('z')}`;
    await storeWebhookSecret(deps(), t.tenantId, rotated, 0);
    // Refused as soon as the cached secrets are re-read (a cache entry lives about a second).
    await waitFor(
      async () =>
        (await sendEvent(t.url, event('customer.created', customer()), t.secret)).status === 400
          ? true
          : null,
      { what: 'the ended secret to be refused' },
    );
    expect((await sendEvent(t.url, event('customer.created', customer()), rotated)).status).toBe(
      200,
    );
  });

  it('answers 404 for an unknown tenant id and for a malformed one', async () => {
    const unknown = await sendEvent(
      `${env.stack.api.url}/webhooks/stripe/8d6f2b1e-0d1c-4a51-9a6c-2f1b3c4d5e6f`,
      event('customer.created', customer()),
      'whsec_x',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('not_found');
    const malformed = await sendEvent(
      `${env.stack.api.url}/webhooks/stripe/not-a-tenant`,
      event('customer.created', customer()),
      'whsec_x',
    );
    expect(malformed.status).toBe(404);
  });

  it('refuses an event of the other mode', async () => {
    const t = await apiKeyTenant(false);
    const res = await sendEvent(
      t.url,
      event('customer.created', customer({ livemode: true })),
      t.secret,
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.reason).toBe('livemode_mismatch');
  });
});
