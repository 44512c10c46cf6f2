// Backend answers for view tests, each parsed by the server's own contract schema: a fixture
// that drifts from what the API really returns fails here, not in the Dashboard.
import {
  DestinationSchema,
  DisputeDetailSchema,
  EvidenceDraftSchema,
  PaymentDisputesSchema,
  StatusSchema,
  SummarySchema,
  type Destination,
  type DisputeDetail,
  type EvidenceDraft,
  type PaymentDisputes,
  type Status,
  type Summary,
} from '@disputedesk/contract';
import { EVIDENCE_FIELDS } from '../../../server/src/disputes/evidence/fields';

const H = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function disputeFixture(over: Partial<DisputeDetail> = {}): DisputeDetail {
  const now = Date.now();
  return DisputeDetailSchema.parse({
    id: 'du_1Test',
    type: 'DISPUTE',
    status: 'OPEN',
    stripeStatus: 'needs_response',
    reason: 'FRAUD',
    reasonCode: '10.4',
    reasonMeaning:
      'Fraud in a card-absent environment: the cardholder did not authorize an online payment.',
    stripeReason: 'fraudulent',
    amount: 4200,
    currency: 'USD',
    challengeRequiredBy: iso(now + 30 * H),
    evidenceSubmissions: 0,
    cardBrand: 'visa',
    chargeId: 'ch_1Test',
    paymentIntentId: 'pi_1Test',
    transactionId: 'pi_1Test',
    orderId: 'ORD-77',
    createdAt: iso(now - 2 * H),
    updatedAt: iso(now - H),
    dashboardUrl: 'https://dashboard.stripe.com/test/disputes/du_1Test',
    timeline: [
      {
        stripeStatus: 'needs_response',
        type: 'DISPUTE',
        status: 'OPEN',
        occurredAt: iso(now - 2 * H),
      },
    ],
    ...over,
  });
}

export function paymentFixture(over: Partial<PaymentDisputes> = {}): PaymentDisputes {
  return PaymentDisputesSchema.parse({
    paymentId: 'pi_1Test',
    disputes: [disputeFixture()],
    earlyFraudWarnings: [],
    billing: null,
    ...over,
  });
}

export function statusFixture(
  over: { connection?: Partial<Status['connection']> } & Partial<Omit<Status, 'connection'>> = {},
): Status {
  const now = Date.now();
  const { connection, ...rest } = over;
  return StatusSchema.parse({
    connection: {
      accountId: 'acct_1234',
      livemode: false,
      status: 'active',
      statusReason: null,
      connectionType: 'oauth',
      connectedAt: iso(now - 48 * H),
      installUrl: 'http://127.0.0.1:3000/oauth/install?mode=test',
      ...connection,
    },
    webhooks: { lastReceivedAt: iso(now - 5 * 60_000), events24h: 321, signatureFailures24h: 0 },
    backfill: {
      status: 'running',
      percent: 40,
      objects: 12000,
      error: null,
      startedAt: iso(now - H),
      finishedAt: null,
      resources: [
        {
          resource: 'charge',
          objects: 9000,
          windowsDone: 6,
          windowsTotal: 12,
          failed: 0,
          estimatedTotal: 18000,
          notPermitted: null,
        },
        {
          resource: 'dispute',
          objects: 3000,
          windowsDone: 12,
          windowsTotal: 12,
          failed: 0,
          estimatedTotal: 3000,
          notPermitted: null,
        },
      ],
    },
    reports: { total: 60, ingested: 58, pending: 2, failed: 0, lastIngestedAt: iso(now - H) },
    ...rest,
  });
}

export function summaryFixture(over: Partial<Summary> = {}): Summary {
  return SummarySchema.parse({
    open: 3,
    needsResponse: 2,
    dueWithin72h: 1,
    amountAtRisk: [
      { currency: 'USD', amount: 5000 },
      { currency: 'EUR', amount: 1000 },
    ],
    winRate90d: { won: 1, lost: 2, rate: 1 / 3 },
    byReason90d: [
      { reason: 'FRAUD', count: 3 },
      { reason: 'PRODUCT_NOT_RECEIVED', count: 1 },
    ],
    weekly: [
      { week: '2026-11-16', outcome: 'Won', count: 1 },
      { week: '2026-11-23', outcome: 'Pending', count: 2 },
    ],
    urgent: [disputeFixture()],
    ...over,
  });
}

export function destinationFixture(over: Partial<Destination> = {}): Destination {
  return DestinationSchema.parse({
    id: '7f6d2b43-6c1b-4c55-9d0f-3d8a1c2b9e10',
    url: 'https://merchant.example/hooks/disputes',
    enabled: true,
    secretHint: 'ddwh…9xQk',
    createdAt: new Date().toISOString(),
    ...over,
  });
}

export const ok = (body: unknown) => ({ status: 200, body });
export const fail = (
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
) => ({
  status,
  body: { error: { code, message, ...(details ? { details } : {}) } },
});

/** A fraud dispute's draft: product and email prefilled (with sources), name and address empty. */
export function draftFixture(over: Partial<EvidenceDraft> = {}): EvidenceDraft {
  const fields: Record<string, { value: string | null; source: string | null; edited: boolean }> =
    Object.fromEntries(
      EVIDENCE_FIELDS.map((f) => [f, { value: null, source: null, edited: false }]),
    );
  fields.product_description = {
    value: 'Trail shoes',
    source: 'payment_intent.description',
    edited: false,
  };
  fields.customer_email_address = {
    value: 'jenny@example.com',
    source: 'customer.email',
    edited: false,
  };
  return EvidenceDraftSchema.parse({
    disputeId: 'du_1Test',
    state: 'draft',
    version: 3,
    reason: 'FRAUD',
    type: 'DISPUTE',
    status: 'OPEN',
    dueBy: new Date(Date.now() + 30 * H).toISOString(),
    answerable: { ok: true, reason: null },
    fields,
    checklist: {
      items: [
        { field: 'customer_name', importance: 'required', filled: false },
        { field: 'customer_email_address', importance: 'required', filled: true },
        { field: 'billing_address', importance: 'required', filled: false },
        { field: 'product_description', importance: 'required', filled: true },
        { field: 'receipt', importance: 'recommended', filled: false },
      ],
      completeness: 44,
      missingRequired: ['customer_name', 'billing_address'],
    },
    ce3: {
      status: 'requires_action',
      requiredActions: ['missing_prior_undisputed_transactions'],
      priorTransactions: [],
      enoughPriorTransactions: false,
    },
    text: { used: 28, limit: 150000 },
    updatedBy: null,
    updatedAt: null,
    actions: [],
    ...over,
  });
}
