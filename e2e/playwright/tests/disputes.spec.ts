// Scenarios 3 and 4: the real Stripe CLI opens a dispute on a connected merchant (the emulator
// plays Stripe) → within seconds the app API has it with the right unified type, status, reason and
// deadline, and the merchant's receiver gets a DISPUTE.STATUS it can verify. Then a chargeback is
// answered from the app (the prefilled draft, edited, submitted with `winning_evidence`) → WON in
// the app API, every step in the timeline, and the receiver hears about each change and who acted.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  appCall,
  control,
  installInBrowser,
  notificationReceiver,
  stack,
  stripe,
} from '../support/stack.ts';

const STRIPE_CLI = path.resolve(import.meta.dirname, '../../../node_modules/.bin/stripe');

interface Dispute {
  id: string;
  type: string;
  status: string;
  reason: string;
  stripeReason: string;
  challengeRequiredBy: string | null;
  timeline?: Array<{ stripeStatus: string; status: string }>;
}

test('a CLI-triggered dispute and a won chargeback reach the app API and the merchant, in order', async ({
  page,
}, testInfo) => {
  const { id: account } = await control<{ id: string }>('accounts', {});
  await installInBrowser(page, testInfo, account);
  const receiver = await notificationReceiver();
  try {
    const dest = await appCall<{ signingSecret: string }>(
      account,
      'POST',
      '/app/v1/notification-destinations',
      {
        url: receiver.url,
      },
    );
    expect(dest.status).toBe(201);
    const secret = dest.body.signingSecret;

    // Scenario 3: the real Stripe CLI, against the emulator, on the merchant's account.
    const cli = spawnSync(
      STRIPE_CLI,
      [
        'trigger',
        'charge.dispute.created',
        '--api-key',
        stack().platformKey,
        '--api-base',
        stack().emulator,
        '--stripe-account',
        account,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(cli.stdout + cli.stderr).toContain('Trigger succeeded');
    const [opened] = (await stripe().disputes.list({}, { stripeAccount: account })).data;
    expect(opened).toBeDefined();
    await expect
      .poll(
        async () =>
          (await appCall<{ data: Dispute[] }>(account, 'GET', '/app/v1/disputes')).body.data,
        {
          timeout: 10_000,
        },
      )
      .toHaveLength(1);
    const got = (await appCall<Dispute>(account, 'GET', `/app/v1/disputes/${opened!.id}`)).body;
    expect(got).toMatchObject({
      id: opened!.id,
      type: opened!.status.startsWith('warning_') ? 'RETRIEVAL' : 'DISPUTE',
      status: 'OPEN',
      stripeReason: opened!.reason,
      challengeRequiredBy: new Date(opened!.evidence_details.due_by! * 1000).toISOString(),
    });
    expect(got.reason).toMatch(/^[A-Z_]+$/);
    await expect
      .poll(() => receiver.received.length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(1);
    const first = receiver.received[0]!;
    expect(first.verified(secret)).toBe(true);
    expect(first.verified('ddwhsec_not_the_secret')).toBe(false);
    expect(first.body).toMatchObject({
      eventType: 'DISPUTE.STATUS',
      disputeId: opened!.id,
      status: 'OPEN',
      accountId: account,
    });

    // Scenario 4: a chargeback, answered with winning evidence.
    const pi = await stripe().paymentIntents.create(
      {
        amount: 5000,
        currency: 'usd',
        payment_method: 'pm_card_createDispute',
        confirm: true,
        description: 'E2E running shoes',
        metadata: { order_id: 'ORD-E2E' },
      },
      { stripeAccount: account },
    );
    const [chargeback] = (
      await stripe().disputes.list({ payment_intent: pi.id }, { stripeAccount: account })
    ).data;
    await expect
      .poll(
        async () =>
          (await appCall<Dispute>(account, 'GET', `/app/v1/disputes/${chargeback!.id}`)).body
            .status,
        {
          timeout: 10_000,
        },
      )
      .toBe('OPEN');
    // Answered from the app: the draft prefilled with its sources, edited, submitted (confirmed).
    interface Draft {
      version: number;
      fields: Record<string, { value: string | null; source: string | null }>;
      checklist: { completeness: number };
    }
    const evidence = `/app/v1/disputes/${chargeback!.id}/evidence`;
    const draft = (await appCall<Draft>(account, 'GET', evidence)).body;
    expect(draft.fields.product_description).toEqual({
      value: 'E2E running shoes',
      source: 'payment_intent.description',
      edited: false,
    });
    const edited = await appCall<Draft>(account, 'POST', evidence, {
      version: draft.version,
      fields: {
        customer_name: 'E2E Customer',
        customer_email_address: 'e2e@example.com',
        billing_address: '1 Test St',
        uncategorized_text: 'winning_evidence',
      },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.checklist.completeness).toBeGreaterThan(draft.checklist.completeness);
    // A receipt uploaded to Stripe (as the app's file uploader does), attached by its id.
    const upload = await stripe().files.create(
      {
        purpose: 'dispute_evidence',
        file: {
          data: Buffer.from('%PDF-1.4\n%%EOF\n'),
          name: 'receipt.pdf',
          type: 'application/pdf',
        },
      },
      { stripeAccount: account },
    );
    const attached = await appCall<Draft>(account, 'POST', `${evidence}/files`, {
      version: edited.body.version,
      field: 'receipt',
      fileId: upload.id,
    });
    expect(attached.body.fields.receipt).toMatchObject({
      value: upload.id,
      source: 'upload: receipt.pdf',
    });
    const submitted = await appCall<{ state: string; status: string }>(
      account,
      'POST',
      `${evidence}/submit`,
      { version: attached.body.version, confirm: chargeback!.id },
    );
    expect(submitted.body).toMatchObject({ state: 'submitted', status: 'CHALLENGED' });
    await expect
      .poll(
        async () =>
          (await appCall<Dispute>(account, 'GET', `/app/v1/disputes/${chargeback!.id}`)).body
            .status,
        {
          timeout: 20_000,
        },
      )
      .toBe('WON');
    const won = (await appCall<Dispute>(account, 'GET', `/app/v1/disputes/${chargeback!.id}`)).body;
    expect(won.timeline!.map((t) => t.status)).toEqual(['OPEN', 'CHALLENGED', 'WON']);
    const panel = await appCall<{ disputes: Dispute[] }>(
      account,
      'GET',
      `/app/v1/payments/${pi.id}/disputes`,
    );
    expect(panel.body.disputes.map((d) => d.id)).toEqual([chargeback!.id]);
    // The chargeback's changes were notified, verifiably, in order: opened first, won last (a
    // CHALLENGED processed together with WON is not news of its own; the timeline keeps it).
    const statuses = () =>
      receiver.received
        .filter((r) => r.body.disputeId === chargeback!.id)
        .map((r) => r.body.status);
    await expect.poll(() => statuses().at(-1), { timeout: 20_000 }).toBe('WON');
    expect(statuses()[0]).toBe('OPEN');
    expect(statuses().length).toBeGreaterThanOrEqual(2);
    // Who submitted reached the merchant's systems too, between the opening and the outcome.
    const kinds = receiver.received
      .filter((r) => r.body.disputeId === chargeback!.id)
      .map((r) => `${String(r.body.eventType)}:${String(r.body.status)}`);
    expect(kinds).toContain('DISPUTE.ACTION:CHALLENGED');
    expect(kinds.indexOf('DISPUTE.ACTION:CHALLENGED')).toBeLessThan(
      kinds.indexOf('DISPUTE.STATUS:WON'),
    );
    expect(receiver.received.every((r) => r.verified(secret))).toBe(true);
  } finally {
    await receiver.close();
  }
});
