// Payments as stripe-node drives them: PaymentIntents with Stripe's test cards, declines,
// manual capture, and the dispute life cycle settled by test-mode evidence.
import type Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEYS } from '../src/server.ts';
import { useEmulator } from './support/emulator.ts';

const emu = useEmulator({ settings: { settleDelayMs: 50 } });
let stripe: Stripe;
beforeAll(() => {
  stripe = emu.client();
});

const eventTypesFor = async (id: string) =>
  (await stripe.events.list({ limit: 100 })).data
    .filter((e) => JSON.stringify(e.data.object).includes(id))
    .map((e) => e.type)
    .reverse();

async function until<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PaymentIntents', () => {
  it('confirms with pm_card_visa: succeeded, with a charge carrying the card, and the events', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      metadata: { order_id: 'ORD-1' },
    });
    expect(pi).toMatchObject({
      status: 'succeeded',
      amount_received: 2000,
      metadata: { order_id: 'ORD-1' },
    });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({
      status: 'succeeded',
      paid: true,
      captured: true,
      payment_intent: pi.id,
      metadata: { order_id: 'ORD-1' },
    });
    expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '4242' });
    expect(await eventTypesFor(pi.id)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
  });

  it('declines pm_card_chargeDeclined with a 402 card error and a failed charge', async () => {
    const err = await stripe.paymentIntents
      .create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
      })
      .catch((e: unknown) => e as Stripe.errors.StripeError);
    expect(err).toMatchObject({ type: 'StripeCardError', statusCode: 402, code: 'card_declined' });
    const [failed] = (await stripe.charges.list({ limit: 1 })).data;
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'card_declined', paid: false });
    const pi = await stripe.paymentIntents.retrieve(failed!.payment_intent as string);
    expect(pi.status).toBe('requires_payment_method');
  });

  it('captures a manual-capture payment and cancels an unconfirmed one', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'eur',
      payment_method: 'pm_card_mastercard',
      capture_method: 'manual',
      confirm: true,
    });
    expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 5000 });
    expect(await stripe.paymentIntents.capture(pi.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 5000,
    });
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).captured).toBe(true);
    const other = await stripe.paymentIntents.create({ amount: 5000, currency: 'eur' });
    expect(await stripe.paymentIntents.cancel(other.id)).toMatchObject({ status: 'canceled' });
    await expect(stripe.paymentIntents.cancel(pi.id)).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
    });
  });

  it('refuses an amount under 50 and an unknown payment method, as Stripe does', async () => {
    await expect(
      stripe.paymentIntents.create({ amount: 10, currency: 'usd' }),
    ).rejects.toMatchObject({ code: 'amount_too_small' });
    await expect(
      stripe.paymentIntents.create({
        amount: 100,
        currency: 'usd',
        payment_method: 'pm_card_nope',
      }),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });
});

describe('disputes', () => {
  it('pm_card_createDispute opens a chargeback that winning_evidence wins', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_createDispute',
      confirm: true,
    });
    const { data } = await stripe.disputes.list({ payment_intent: pi.id });
    expect(data).toHaveLength(1);
    const dispute = data[0]!;
    expect(dispute).toMatchObject({
      status: 'needs_response',
      reason: 'fraudulent',
      amount: 3000,
      charge: pi.latest_charge,
      payment_intent: pi.id,
    });
    expect(dispute.payment_method_details?.card).toMatchObject({
      brand: 'visa',
      network_reason_code: '10.4',
      case_type: 'chargeback',
    });
    expect(dispute.evidence_details.due_by).toBeGreaterThan(dispute.created);
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true);

    const submitted = await stripe.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'winning_evidence' },
    });
    expect(submitted).toMatchObject({
      status: 'under_review',
      evidence_details: { submission_count: 1, has_evidence: true },
    });
    const won = await until(async () => {
      const d = await stripe.disputes.retrieve(dispute.id);
      return d.status === 'won' ? d : undefined;
    }, 'the dispute to be won');
    expect(won.status).toBe('won');
    expect(await eventTypesFor(dispute.id)).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.updated',
      'charge.dispute.closed',
      'charge.dispute.funds_reinstated',
    ]);
  });

  it('losing_evidence loses; closing an inquiry closes it as warning_closed', async () => {
    const a = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_createDisputeProductNotReceived',
      confirm: true,
    });
    const [d] = (await stripe.disputes.list({ payment_intent: a.id })).data;
    expect(d).toMatchObject({ reason: 'product_not_received', network_reason_code: '13.1' });
    await stripe.disputes.update(d!.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    await until(
      async () => ((await stripe.disputes.retrieve(d!.id)).status === 'lost' ? true : undefined),
      'the dispute to be lost',
    );

    const b = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_createDisputeInquiry',
      confirm: true,
    });
    const [inquiry] = (await stripe.disputes.list({ charge: b.latest_charge as string })).data;
    expect(inquiry).toMatchObject({ status: 'warning_needs_response' });
    expect(inquiry!.payment_method_details?.card?.case_type).toBe('inquiry');
    expect(await stripe.disputes.close(inquiry!.id)).toMatchObject({ status: 'warning_closed' });
    await expect(
      stripe.disputes.update(inquiry!.id, { evidence: { uncategorized_text: 'late' } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('pm_card_createIssuerFraudRecord raises an early fraud warning', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_createIssuerFraudRecord',
      confirm: true,
    });
    const [warning] = (
      await stripe.events.list({ type: 'radar.early_fraud_warning.created', limit: 1 })
    ).data;
    expect(warning?.data.object).toMatchObject({
      charge: pi.latest_charge,
      payment_intent: pi.id,
      actionable: true,
      fraud_type: 'made_with_stolen_card',
    });
  });
});

describe('dispute evidence files and refusals', () => {
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  const PNG = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(32),
  ]);
  const upload = (data: Buffer, name: string, type = 'application/octet-stream') =>
    stripe.files.create({ purpose: 'dispute_evidence', file: { data, name, type } });

  async function openDispute() {
    const pi = await stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      payment_method: 'pm_card_createDispute',
      confirm: true,
    });
    return (await stripe.disputes.list({ payment_intent: pi.id })).data[0]!;
  }

  it('takes PDF, JPEG and PNG by content up to 5 MB; refuses other content, whatever its name', async () => {
    const pdf = await upload(PDF, 'receipt.pdf', 'application/pdf');
    expect(pdf).toMatchObject({ purpose: 'dispute_evidence', type: 'pdf', size: PDF.length });
    expect((await upload(PNG, 'photo')).type).toBe('png');
    const contents = await fetch(`${emu.emulator.url}/v1/files/${pdf.id}/contents`, {
      headers: { authorization: `Bearer ${DEFAULT_KEYS.test}` },
    });
    expect(Buffer.from(await contents.arrayBuffer()).equals(PDF)).toBe(true);
    await expect(
      upload(Buffer.from('just text'), 'fake.pdf', 'application/pdf'),
    ).rejects.toMatchObject({
      code: 'file_invalid_type',
    });
    await expect(
      upload(Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)]), 'big.pdf'),
    ).rejects.toMatchObject({ code: 'file_too_large' });
  });

  it('attaches this account’s evidence files; refuses updates once submitted, and closing then', async () => {
    const dispute = await openDispute();
    const pdf = await upload(PDF, 'receipt.pdf');
    await expect(
      stripe.disputes.update(dispute.id, { evidence: { receipt: 'file_nope' }, submit: false }),
    ).rejects.toMatchObject({ code: 'resource_missing' });
    const saved = await stripe.disputes.update(dispute.id, {
      evidence: { receipt: pdf.id, product_description: 'Shoes' },
      submit: false,
    });
    expect(saved.evidence.receipt).toBe(pdf.id);
    expect(saved.status).toBe('needs_response');
    await expect(
      stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'x'.repeat(150_001) } }),
    ).rejects.toMatchObject({ code: 'parameter_invalid_string_length' });
    const submitted = await stripe.disputes.update(dispute.id, { evidence: {}, submit: true });
    expect(submitted.status).toBe('under_review');
    await expect(
      stripe.disputes.update(dispute.id, { evidence: { product_description: 'more' } }),
    ).rejects.toMatchObject({ code: 'dispute_already_submitted' });
    await expect(stripe.disputes.close(dispute.id)).rejects.toMatchObject({
      code: 'dispute_already_submitted',
    });
  });

  it('refuses evidence past the deadline', async () => {
    const dispute = await openDispute();
    const info = (await (await fetch(`${emu.emulator.url}/_emulator/info`)).json()) as {
      platform_account: string;
    };
    await fetch(`${emu.emulator.url}/_emulator/expire-dispute`, {
      method: 'POST',
      body: JSON.stringify({ account: info.platform_account, dispute: dispute.id }),
    });
    await expect(
      stripe.disputes.update(dispute.id, { evidence: { product_description: 'late' } }),
    ).rejects.toMatchObject({ code: 'dispute_past_due' });
  });
});
