// Answering disputes from the app, against the emulator: the draft assembled at intake with each
// field's source and the reason's checklist; edits guarded by the draft version; submit (once,
// confirmed, idempotent at Stripe) → under review → won with `winning_evidence`; accept → lost;
// Stripe's refusals (past the deadline, a key without write access); Visa CE3.0 prior payments;
// compliance disputes' fee acknowledgement; and another tenant's dispute is not found.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EvidenceDraftSchema } from '../src/app-api/contract.ts';
import { requestBinding } from '../src/app-api/request-binding.ts';
import { createDestination } from '../src/notifications/destinations.ts';
import { adminCall } from './support/admin-client.ts';
import { appCall } from './support/app-client.ts';
import {
  accountSettled,
  appSignature,
  connectedKeyMerchant,
  DEFAULT_KEYS,
  platformClient,
  FULL_KEY_PERMISSIONS,
} from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({ STRIPE_RATE_LIMIT_TEST: '0' });

const WRITE_KEY: Record<string, string> = {
  ...FULL_KEY_PERMISSIONS,
  dispute: 'write',
  file: 'write',
};
const platform = () => platformClient(emu);

type Draft = ReturnType<typeof EvidenceDraftSchema.parse>;

const merchant = (permissions = WRITE_KEY) =>
  connectedKeyMerchant(emu, env.stack.api.url, permissions);

/** A payment that the issuer disputes, with what the merchant knows about it. */
async function disputedPayment(account: string, card = 'pm_card_createDispute') {
  const customer = await platform().customers.create(
    { name: 'Jenny Rosen', email: 'jenny@example.com' },
    { stripeAccount: account },
  );
  const pi = await platform().paymentIntents.create(
    {
      amount: 5900,
      currency: 'usd',
      customer: customer.id,
      payment_method: card,
      confirm: true,
      description: 'Trail running shoes, size 42',
      shipping: {
        name: 'Jenny Rosen',
        address: { line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' },
        carrier: 'UPS',
        tracking_number: '1Z999AA10123456784',
      },
      metadata: { order_id: 'ORD-9', ip_address: '203.0.113.7', shipping_date: '2026-11-20' },
    },
    { stripeAccount: account },
  );
  const { rows } = await waitFor(
    async () => {
      const r = await env.stack.db.pool.query<{ stripe_id: string }>(
        `SELECT d.stripe_id FROM disputes d JOIN tenants t ON t.id = d.tenant_id
          WHERE t.stripe_account_id = $1 AND d.payment_intent_id = $2`,
        [account, pi.id],
      );
      return r.rows.length ? r : null;
    },
    { what: 'the dispute stored' },
  );
  const disputeId = rows[0]!.stripe_id;
  // Both of the dispute's events (created, funds withdrawn) processed: a late one would take the
  // dispute in again after a test moved its deadline.
  await waitFor(
    async () => {
      const r = await env.stack.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM raw_events e JOIN tenants t ON t.id = e.tenant_id
          WHERE t.stripe_account_id = $1 AND e.status = 'processed'
            AND e.type IN ('charge.dispute.created', 'charge.dispute.funds_withdrawn')
            AND e.payload->'data'->'object'->>'id' = $2`,
        [account, disputeId],
      );
      return r.rows[0]!.n >= 2 ? true : null;
    },
    { what: 'the dispute’s events processed' },
  );
  return { pi, customer, disputeId };
}

const draftOf = async (who: { user: string; account: string }, disputeId: string) => {
  const res = await appCall<Draft>(
    env.stack.api.url,
    'GET',
    `/app/v1/disputes/${disputeId}/evidence`,
    who,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return EvidenceDraftSchema.parse(res.body);
};

const post = <T = Record<string, unknown>>(
  who: { user: string; account: string },
  path: string,
  body: Record<string, unknown>,
) => appCall<T>(env.stack.api.url, 'POST', path, who, { body });

describe('the evidence draft', () => {
  it('is assembled at intake, each field with its source, checked against the reason', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    const draft = await waitFor(async () => {
      const d = await draftOf(m.who, disputeId);
      // The customer's and the PaymentIntent's events may come after the dispute's.
      return d.fields.customer_email_address!.value &&
        d.fields.product_description!.source === 'payment_intent.description'
        ? d
        : null;
    });
    expect(draft).toMatchObject({ state: 'draft', version: 1, reason: 'FRAUD', status: 'OPEN' });
    expect(draft.answerable).toEqual({ ok: true, reason: null });
    expect(draft.fields.product_description).toEqual({
      value: 'Trail running shoes, size 42',
      source: 'payment_intent.description',
      edited: false,
    });
    expect(draft.fields.shipping_carrier).toMatchObject({
      value: 'UPS',
      source: 'payment_intent.shipping.carrier',
    });
    expect(draft.fields.shipping_tracking_number!.value).toBe('1Z999AA10123456784');
    expect(draft.fields.shipping_address!.value).toBe('1 Main St, 12345 Springfield, US');
    expect(draft.fields.customer_purchase_ip).toMatchObject({
      value: '203.0.113.7',
      source: 'payment_intent.metadata',
    });
    expect(draft.fields.shipping_date!.value).toBe('2026-11-20');
    expect(draft.fields.customer_email_address!.value).toBe('jenny@example.com');
    const required = draft.checklist.items
      .filter((i) => i.importance === 'required')
      .map((i) => i.field);
    expect(required).toEqual(
      expect.arrayContaining(['customer_name', 'customer_email_address', 'billing_address']),
    );
    expect(draft.checklist.missingRequired).toContain('billing_address');
    expect(draft.checklist.completeness).toBeGreaterThan(30);
    expect(draft.checklist.completeness).toBeLessThan(100);
    expect(draft.ce3).toMatchObject({ enoughPriorTransactions: false, priorTransactions: [] });
  });

  it('refuses a stale version and text over Stripe’s limit; edits record who typed them', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    const v1 = await draftOf(m.who, disputeId);
    const edited = await post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence`, {
      version: v1.version,
      fields: { billing_address: '1 Main St, Springfield', customer_name: 'Jenny Rosen' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.version).toBe(v1.version + 1);
    expect(edited.body.fields.billing_address).toEqual({
      value: '1 Main St, Springfield',
      source: `merchant (${m.who.user})`,
      edited: true,
    });
    // A second tab still holding version 1 does not overwrite what the first saved.
    const stale = await post(m.who, `/app/v1/disputes/${disputeId}/evidence`, {
      version: v1.version,
      fields: { billing_address: 'something else' },
    });
    expect(stale).toMatchObject({
      status: 409,
      body: { error: { details: { reason: 'stale_version', currentVersion: v1.version + 1 } } },
    });
    const tooLong = await post(m.who, `/app/v1/disputes/${disputeId}/evidence`, {
      version: v1.version + 1,
      fields: { uncategorized_text: 'x'.repeat(100_000), access_activity_log: 'y'.repeat(60_000) },
    });
    expect(tooLong).toMatchObject({
      status: 400,
      body: { error: { details: { reason: 'evidence_too_long' } } },
    });
    const notAFile = await post(m.who, `/app/v1/disputes/${disputeId}/evidence`, {
      version: v1.version + 1,
      fields: { receipt: 'receipt.pdf' },
    });
    expect(notAFile).toMatchObject({
      status: 400,
      body: { error: { details: { reason: 'invalid_file_id' } } },
    });
  });
});

describe('responding', () => {
  it('submits once, confirmed, and the dispute goes under review then is won', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    const d = await draftOf(m.who, disputeId);
    const filled = await post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence`, {
      version: d.version,
      fields: {
        customer_name: 'Jenny Rosen',
        customer_email_address: 'jenny@example.com',
        billing_address: '1 Main St, Springfield',
        uncategorized_text: 'winning_evidence',
      },
    });
    const version = filled.body.version;
    const unconfirmed = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/submit`, {
      version,
      confirm: 'yes',
    });
    expect(unconfirmed).toMatchObject({
      status: 400,
      body: { error: { details: { reason: 'confirmation_required' } } },
    });
    const saved = await post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence/save`, {
      version,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.state).toBe('saved');
    // Two submits at once (a double click, two tabs): Stripe receives one submission.
    const [a, b] = await Promise.all([
      post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence/submit`, {
        version,
        confirm: disputeId,
      }),
      post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence/submit`, {
        version,
        confirm: disputeId,
      }),
    ]);
    expect([a.status, b.status]).toContain(200);
    const ok = a.status === 200 ? a : b;
    expect(ok.body).toMatchObject({ state: 'submitted', status: 'CHALLENGED' });
    expect(ok.body.answerable.ok).toBe(false);
    const atStripe = await platform().disputes.retrieve(
      disputeId,
      {},
      { stripeAccount: m.account },
    );
    expect(atStripe.evidence_details.submission_count).toBe(1);
    expect(atStripe.evidence.customer_name).toBe('Jenny Rosen');
    const again = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/submit`, {
      version,
      confirm: disputeId,
    });
    expect(again).toMatchObject({
      status: 409,
      body: { error: { details: { reason: 'not_answerable' } } },
    });
    await waitFor(async () => ((await draftOf(m.who, disputeId)).status === 'WON' ? true : null), {
      what: 'the dispute won',
    });
    const final = await draftOf(m.who, disputeId);
    expect(
      final.actions.filter((x) => x.action === 'submit' && x.status === 'succeeded').length,
    ).toBeGreaterThanOrEqual(1);
    expect(final.actions[0]).toMatchObject({
      action: 'save',
      actor: m.who.user,
      actorType: 'app_user',
    });
  });

  it('accepts (closes) a dispute once confirmed; it is then accepted, not open', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    const res = await post(m.who, `/app/v1/disputes/${disputeId}/accept`, { confirm: disputeId });
    expect(res).toMatchObject({ status: 200, body: { disputeId, status: 'ACCEPTED' } });
    const atStripe = await platform().disputes.retrieve(
      disputeId,
      {},
      { stripeAccount: m.account },
    );
    expect(atStripe.status).toBe('lost');
    const twice = await post(m.who, `/app/v1/disputes/${disputeId}/accept`, { confirm: disputeId });
    expect(twice).toMatchObject({
      status: 409,
      body: { error: { details: { reason: 'not_answerable' } } },
    });
  });

  it('passes on Stripe’s refusals: past the deadline, and a key that may not write disputes', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    await fetch(`${emu.emulator.url}/_emulator/expire-dispute`, {
      method: 'POST',
      body: JSON.stringify({ account: m.account, dispute: disputeId }),
    });
    const d = await draftOf(m.who, disputeId);
    const late = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/submit`, {
      version: d.version,
      confirm: disputeId,
      allowIncomplete: true,
    });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toContain('deadline');
    const readOnly = await merchant(FULL_KEY_PERMISSIONS);
    const other = await disputedPayment(readOnly.account);
    const refused = await post(readOnly.who, `/app/v1/disputes/${other.disputeId}/accept`, {
      confirm: other.disputeId,
    });
    expect(refused.status).toBe(403);
    const draft = await draftOf(readOnly.who, other.disputeId);
    expect(draft.actions.at(-1)).toMatchObject({ action: 'accept', status: 'failed' });
    expect(draft.status).toBe('OPEN');
  });

  it('needs the fee acknowledgement for a compliance dispute', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account, 'pm_card_createComplianceDispute');
    const d = await draftOf(m.who, disputeId);
    expect(d.type).toBe('COMPLIANCE');
    const body = { version: d.version, confirm: disputeId, allowIncomplete: true };
    const without = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/submit`, body);
    expect(without).toMatchObject({
      status: 400,
      body: { error: { details: { reason: 'fee_acknowledgement_required' } } },
    });
    const withFee = await post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence/submit`, {
      ...body,
      feeAcknowledged: true,
    });
    expect(withFee.status, JSON.stringify(withFee.body)).toBe(200);
    const atStripe = await platform().disputes.retrieve(
      disputeId,
      {},
      { stripeAccount: m.account },
    );
    expect(atStripe.evidence.enhanced_evidence).toMatchObject({
      visa_compliance: { fee_acknowledged: 'true' },
    });
  });

  it('finds Visa CE3.0 prior payments of the same customer and qualifies at Stripe with them', async () => {
    const m = await merchant();
    const { rows } = await env.stack.db.pool.query<{ id: string }>(
      'SELECT id FROM tenants WHERE stripe_account_id = $1',
      [m.account],
    );
    const tenantId = rows[0]!.id;
    const customer = await platform().customers.create(
      { email: 'ce3@example.com' },
      { stripeAccount: m.account },
    );
    // Two undisputed payments of this customer 200 and 300 days ago (history the import brought in).
    for (const days of [200, 300]) {
      const at = new Date(Date.now() - days * 86400_000);
      await env.stack.db.pool.query(
        `INSERT INTO charges (tenant_id, stripe_id, livemode, customer_id, amount, amount_refunded, currency,
                              status, paid, captured, refunded, disputed, stripe_created_at, raw,
                              snapshot_at, snapshot_tiebreak)
         VALUES ($1, $2, false, $3, 1000, 0, 'USD', 'succeeded', true, true, false, false, $4, '{}', $4, '0')`,
        [tenantId, stripeId('ch'), customer.id, at],
      );
    }
    const pi = await platform().paymentIntents.create(
      {
        amount: 3000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_createCe3EligibleDispute',
        confirm: true,
      },
      { stripeAccount: m.account },
    );
    const disputeId = await waitFor(async () => {
      const r = await env.stack.db.pool.query<{ stripe_id: string }>(
        'SELECT stripe_id FROM disputes WHERE tenant_id = $1 AND payment_intent_id = $2',
        [tenantId, pi.id],
      );
      return r.rows[0]?.stripe_id ?? null;
    });
    const draft = await waitFor(async () => {
      const d = await draftOf(m.who, disputeId);
      return d.ce3?.enoughPriorTransactions ? d : null; // the charge's event brings the customer id
    });
    expect(draft.ce3).toMatchObject({
      status: 'requires_action',
      requiredActions: ['missing_prior_undisputed_transactions'],
      enoughPriorTransactions: true,
    });
    expect(draft.ce3!.priorTransactions.map((p) => p.matchedBy)).toEqual([
      ['customer'],
      ['customer'],
    ]);
    const saved = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/save`, {
      version: draft.version,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const atStripe = await platform().disputes.retrieve(
      disputeId,
      {},
      { stripeAccount: m.account },
    );
    expect(atStripe.evidence_details.enhanced_eligibility.visa_compelling_evidence_3?.status).toBe(
      'qualified',
    );
  });
});

describe('across tenants', () => {
  it('never lets one account read, edit, submit or accept another account’s dispute', async () => {
    const a = await merchant();
    const b = await merchant();
    const { disputeId } = await disputedPayment(a.account);
    await draftOf(a.who, disputeId);
    const d = await draftOf(a.who, disputeId);
    for (const [method, path, body] of [
      ['GET', `/app/v1/disputes/${disputeId}/evidence`, undefined],
      [
        'POST',
        `/app/v1/disputes/${disputeId}/evidence`,
        { version: d.version, fields: { customer_name: 'x' } },
      ],
      ['POST', `/app/v1/disputes/${disputeId}/evidence/save`, { version: d.version }],
      [
        'POST',
        `/app/v1/disputes/${disputeId}/evidence/submit`,
        { version: d.version, confirm: disputeId, allowIncomplete: true },
      ],
      [
        'POST',
        `/app/v1/disputes/${disputeId}/evidence/files`,
        { version: d.version, field: 'receipt', fileId: 'file_x' },
      ],
      [
        'POST',
        `/app/v1/disputes/${disputeId}/evidence/documents`,
        { version: d.version, kind: 'receipt' },
      ],
      ['GET', `/app/v1/disputes/${disputeId}/recommendation`, undefined],
      ['POST', `/app/v1/disputes/${disputeId}/accept`, { confirm: disputeId }],
    ] as const) {
      const res = await appCall(env.stack.api.url, method, path, b.who, body ? { body } : {});
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await draftOf(a.who, disputeId)).version).toBe(d.version);
    // Evidence settings are each account's own.
    await post(a.who, '/app/v1/settings/evidence', { autoSubmit: true });
    const theirs = await appCall<{ autoSubmit: boolean }>(
      env.stack.api.url,
      'GET',
      '/app/v1/settings/evidence',
      b.who,
    );
    expect(theirs.body.autoSubmit).toBe(false);
  });
});

describe('support staff', () => {
  it('read as viewers; edit, save and submit as operators on the merchant’s behalf, audited', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    const api = env.stack.api.url;
    const tokens: Record<string, string> = {};
    for (const role of ['viewer', 'operator'] as const) {
      const created = await adminCall<{ token: string }>(api, 'POST', 'tokens', {
        body: { name: `${role} ${disputeId}`, role, expires_in_days: 1 },
      });
      tokens[role] = created.body.token;
    }
    const path = `tenants/${m.tenantId}/disputes/${disputeId}`;
    await createDestination(
      { prisma: env.stack.db.prisma, keyring: env.stack.keyring, allowPrivateAddresses: true },
      m.tenantId,
      'https://hooks.invalid/support',
    );
    const read = await adminCall<Draft>(api, 'GET', `${path}/evidence`, { token: tokens.viewer });
    expect(read.status).toBe(200);
    const draft = EvidenceDraftSchema.parse(read.body);
    const body = { version: draft.version, fields: { customer_name: 'Jenny Rosen' } };
    expect(
      (await adminCall(api, 'POST', `${path}/evidence`, { token: tokens.viewer, body })).status,
    ).toBe(403);
    const edited = await adminCall<Draft>(api, 'POST', `${path}/evidence`, {
      token: tokens.operator,
      body,
    });
    expect(edited.status).toBe(200);
    expect(edited.body.fields.customer_name).toMatchObject({
      source: `support (operator ${disputeId})`,
      edited: true,
    });
    const submitted = await adminCall<Draft>(api, 'POST', `${path}/evidence/submit`, {
      token: tokens.operator,
      body: { version: edited.body.version, confirm: disputeId, allowIncomplete: true },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.actions.at(-1)).toMatchObject({
      action: 'submit',
      actorType: 'admin',
      actor: `operator ${disputeId}`,
      status: 'succeeded',
    });
    // The merchant's systems hear who submitted (DISPUTE.ACTION), after the status change.
    const outbox = await env.stack.db.pool.query<{ payload: Record<string, unknown> }>(
      'SELECT payload FROM notifications WHERE tenant_id = $1 AND dispute_id = $2 ORDER BY id',
      [m.tenantId, disputeId],
    );
    const events = outbox.rows.map(
      (r) => `${String(r.payload.eventType)}:${String(r.payload.status)}`,
    );
    expect(events.slice(-2)).toEqual(['DISPUTE.STATUS:CHALLENGED', 'DISPUTE.ACTION:CHALLENGED']);
    expect(outbox.rows.at(-1)!.payload).toMatchObject({
      action: 'EVIDENCE_SUBMITTED',
      actor: { type: 'admin', name: `operator ${disputeId}` },
    });
    const audit = await env.stack.db.pool.query<{ action: string; status: number }>(
      'SELECT action, status FROM admin_audit WHERE target = $1 ORDER BY id',
      [m.tenantId],
    );
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { action: 'POST /admin/v1/tenants/:tenantId/disputes/:disputeId/evidence', status: 200 },
        {
          action: 'POST /admin/v1/tenants/:tenantId/disputes/:disputeId/evidence/submit',
          status: 200,
        },
      ]),
    );
    // Another tenant's id in the path finds nothing.
    const other = await merchant();
    const crossed = await adminCall(
      api,
      'GET',
      `tenants/${other.tenantId}/disputes/${disputeId}/evidence`,
    );
    expect(crossed.status).toBe(404);
  });
});

describe('never late', () => {
  /**
   * Time passing for one dispute: its deadline is `hours` away (as the issuer set it) — at Stripe
   * too, so an event or answer that arrives later (a save's charge.dispute.updated, say) carries
   * the same deadline instead of moving it back.
   */
  const dueIn = async (
    m: { tenantId: string; account: string },
    disputeId: string,
    hours: number,
  ) => {
    // Every event Stripe already made for the account delivered and processed first: one created
    // before the move (the save's charge.dispute.updated) carries the old deadline, and processed
    // after it would put that deadline back.
    await waitFor(() => accountSettled(platform(), m.account, env.stack.db.pool, m.tenantId), {
      what: 'the account’s events delivered and processed',
    });
    const account = emu.emulator.state.accounts.get(m.account)!;
    const atStripe = account.objects.get('dispute')!.get(disputeId) as unknown as {
      evidence_details: { due_by: number };
    };
    atStripe.evidence_details.due_by = Math.floor(Date.now() / 1000) + hours * 3600;
    await env.stack.db.pool.query(
      `UPDATE disputes SET challenge_required_by = now() + make_interval(hours => $3)
        WHERE tenant_id = $1 AND stripe_id = $2`,
      [m.tenantId, disputeId, hours],
    );
  };

  it('reminds 72 h and 24 h before the deadline, once each, as signed notifications', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    // A destination (its deliveries fail here, offline; the outbox rows are what is checked).
    await createDestination(
      { prisma: env.stack.db.prisma, keyring: env.stack.keyring, allowPrivateAddresses: true },
      m.tenantId,
      'https://hooks.invalid/dd',
    );
    const deadlineNotes = async () =>
      (
        await env.stack.db.pool.query<{ reminder: string }>(
          `SELECT payload->>'reminder' AS reminder FROM notifications
            WHERE tenant_id = $1 AND dispute_id = $2 AND payload->>'eventType' = 'DISPUTE.DEADLINE'
            ORDER BY id`,
          [m.tenantId, disputeId],
        )
      ).rows.map((r) => r.reminder);
    const reminders = async () =>
      (
        await env.stack.db.pool.query<{ kind: string }>(
          'SELECT kind FROM dispute_reminders WHERE tenant_id = $1 AND dispute_id = $2 ORDER BY kind',
          [m.tenantId, disputeId],
        )
      ).rows.map((r) => r.kind);
    await env.stack.worker!.checkDeadlines();
    expect(await reminders()).toEqual([]); // seven days left
    await dueIn(m, disputeId, 50);
    await env.stack.worker!.checkDeadlines();
    await env.stack.worker!.checkDeadlines();
    expect(await reminders()).toEqual(['72h']);
    await dueIn(m, disputeId, 20);
    await env.stack.worker!.checkDeadlines();
    expect(await reminders()).toEqual(['24h', '72h']);
    await env.stack.worker!.checkDeadlines();
    expect(await reminders()).toEqual(['24h', '72h']);
    expect(await deadlineNotes()).toEqual(['72h', '24h']);
  });

  it('submits complete drafts automatically when the tenant opted in; incomplete ones wait, none is accepted', async () => {
    const m = await merchant();
    const off = await appCall<{ autoSubmit: boolean }>(
      env.stack.api.url,
      'GET',
      '/app/v1/settings/evidence',
      m.who,
    );
    expect(off.body).toMatchObject({ autoSubmit: false, hoursBefore: 24, minCompleteness: 80 });
    const ready = await disputedPayment(m.account);
    const draft = await draftOf(m.who, ready.disputeId);
    const saved = await post(m.who, `/app/v1/disputes/${ready.disputeId}/evidence`, {
      version: draft.version,
      fields: {
        customer_name: 'Jenny Rosen',
        customer_email_address: 'jenny@example.com',
        billing_address: '1 Main St, Springfield',
        // Typed too, so the draft is complete whether or not the payment's events are in yet.
        product_description: 'Trail running shoes, size 42',
        receipt: null,
      },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const thin = await disputedPayment(m.account);
    for (const d of [ready, thin]) await dueIn(m, d.disputeId, 10);
    await env.stack.worker!.checkDeadlines();
    // Not opted in: nothing submitted.
    expect((await draftOf(m.who, ready.disputeId)).state).toBe('draft');
    const on = await post(m.who, '/app/v1/settings/evidence', {
      autoSubmit: true,
      minCompleteness: 50,
    });
    expect(on.body).toMatchObject({ autoSubmit: true, minCompleteness: 50, updatedBy: m.who.user });
    await env.stack.worker!.checkDeadlines();
    const done = await draftOf(m.who, ready.disputeId);
    expect(
      done,
      JSON.stringify({ actions: done.actions, checklist: done.checklist }),
    ).toMatchObject({
      state: 'submitted',
      status: 'CHALLENGED',
    });
    expect(done.actions.at(-1)).toMatchObject({
      action: 'submit',
      actorType: 'automatic',
      status: 'succeeded',
    });
    const waiting = await draftOf(m.who, thin.disputeId);
    expect(waiting).toMatchObject({ state: 'draft', status: 'OPEN' });
    expect(waiting.actions.at(-1)).toMatchObject({ actorType: 'automatic', status: 'skipped' });
    expect(waiting.actions.at(-1)!.error).toMatch(/empty: customer_name|completeness/);
    await env.stack.worker!.checkDeadlines();
    expect(
      (await draftOf(m.who, thin.disputeId)).actions.filter((a) => a.actorType === 'automatic'),
    ).toHaveLength(1);
    const atStripe = await platform().disputes.retrieve(
      thin.disputeId,
      {},
      { stripeAccount: m.account },
    );
    expect(atStripe.status).toBe('needs_response');
  });
});

describe('evidence files', () => {
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

  /** Raw bytes to the upload route, signed over them as the app signs. */
  async function uploadBytes(
    who: { user: string; account: string },
    disputeId: string,
    q: Record<string, string>,
    data: Buffer,
    type = 'application/pdf',
  ) {
    const url = new URL(`${env.stack.api.url}/app/v1/disputes/${disputeId}/evidence/files/upload`);
    for (const [k, v] of Object.entries({
      ...q,
      user_id: who.user,
      account_id: who.account,
      mode: 'test',
    }))
      url.searchParams.set(k, v);
    const binding = await requestBinding(
      'POST',
      `${url.pathname}${url.search}`,
      'test',
      data.toString('latin1'),
    );
    const digest = createHash('sha256').update(data).digest('hex');
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': type,
        'stripe-signature': appSignature(who.user, who.account, {
          binding: { ...binding, body_sha256: digest },
        }),
      },
      body: data,
    });
    return {
      status: res.status,
      body: (await res.json()) as Draft & { error?: { details?: { reason?: string } } },
    };
  }

  it('uploads PDF/JPEG/PNG by content, refuses other content and oversize, attaches Stripe files by id, generates documents', async () => {
    const m = await merchant();
    const { disputeId } = await disputedPayment(m.account);
    let v = (await draftOf(m.who, disputeId)).version;
    const uploaded = await uploadBytes(
      m.who,
      disputeId,
      { field: 'receipt', version: String(v), filename: 'receipt.pdf' },
      PDF,
    );
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
    expect(uploaded.body.fields.receipt).toMatchObject({
      source: 'upload: receipt.pdf',
      edited: true,
    });
    const fileId = uploaded.body.fields.receipt!.value!;
    const atStripe = await platform().files.retrieve(fileId, {}, { stripeAccount: m.account });
    expect(atStripe).toMatchObject({ purpose: 'dispute_evidence', type: 'pdf', size: PDF.length });
    v = uploaded.body.version;
    const fake = await uploadBytes(
      m.who,
      disputeId,
      { field: 'receipt', version: String(v) },
      Buffer.from('plain text'),
      'application/pdf',
    );
    expect(fake).toMatchObject({
      status: 415,
      body: { error: { details: { reason: 'invalid_file_type' } } },
    });
    const huge = await uploadBytes(
      m.who,
      disputeId,
      { field: 'receipt', version: String(v) },
      Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)]),
    );
    expect(huge.status).toBe(413);
    const notAFileField = await uploadBytes(
      m.who,
      disputeId,
      { field: 'customer_name', version: String(v) },
      PDF,
    );
    expect(notAFileField.status).toBe(400);
    // A file the app's FileUploader put on Stripe: attached by id after checking it at Stripe.
    const viaStripe = await platform().files.create(
      {
        purpose: 'dispute_evidence',
        file: { data: PDF, name: 'chat.pdf', type: 'application/pdf' },
      },
      { stripeAccount: m.account },
    );
    const attached = await post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence/files`, {
      version: v,
      field: 'customer_communication',
      fileId: viaStripe.id,
    });
    expect(attached.status, JSON.stringify(attached.body)).toBe(200);
    expect(attached.body.fields.customer_communication).toMatchObject({
      value: viaStripe.id,
      source: 'upload: chat.pdf',
    });
    const identity = await platform().files.create(
      {
        purpose: 'identity_document',
        file: { data: PDF, name: 'id.pdf', type: 'application/pdf' },
      },
      { stripeAccount: m.account },
    );
    const wrong = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/files`, {
      version: attached.body.version,
      field: 'uncategorized_file',
      fileId: identity.id,
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: { error: { details: { reason: 'wrong_purpose' } } },
    });
    const foreign = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/files`, {
      version: attached.body.version,
      field: 'uncategorized_file',
      fileId: 'file_notours',
    });
    expect(foreign.status).toBe(404);
    // Generated documents: the receipt and the customer's payment history, as PDFs.
    await waitFor(async () =>
      (await env.stack.db.pool.query('SELECT 1 FROM charges WHERE tenant_id = $1', [m.tenantId]))
        .rowCount
        ? true
        : null,
    );
    const receipt = await post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence/documents`, {
      version: attached.body.version,
      kind: 'receipt',
    });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(200);
    expect(receipt.body.fields.receipt!.source).toBe('generated receipt (PDF)');
    const history = await post<Draft>(m.who, `/app/v1/disputes/${disputeId}/evidence/documents`, {
      version: receipt.body.version,
      kind: 'payment_history',
    });
    expect(history.body.fields.uncategorized_file!.source).toBe('generated payment history (PDF)');
    const contents = await fetch(
      `${emu.emulator.url}/v1/files/${receipt.body.fields.receipt!.value}/contents`,
      { headers: { authorization: `Bearer ${DEFAULT_KEYS.test}`, 'stripe-account': m.account } },
    );
    const pdf = Buffer.from(await contents.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // Saved: Stripe's evidence names the files.
    const saved = await post(m.who, `/app/v1/disputes/${disputeId}/evidence/save`, {
      version: history.body.version,
    });
    expect(saved.status).toBe(200);
    const dispute = await platform().disputes.retrieve(disputeId, {}, { stripeAccount: m.account });
    expect(dispute.evidence.receipt).toBe(receipt.body.fields.receipt!.value);
    expect(dispute.evidence.customer_communication).toBe(viaStripe.id);
  });
});
