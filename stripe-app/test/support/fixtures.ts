// Backend answers for view tests, each parsed by the server's own contract schema: a fixture
// that drifts from what the API really returns fails here, not in the Dashboard.
import {
  DestinationSchema,
  DisputeDetailSchema,
  PaymentDisputesSchema,
  StatusSchema,
  SummarySchema,
  type Destination,
  type DisputeDetail,
  type PaymentDisputes,
  type Status,
  type Summary,
} from '@disputedesk/contract';

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
        },
        {
          resource: 'dispute',
          objects: 3000,
          windowsDone: 12,
          windowsTotal: 12,
          failed: 0,
          estimatedTotal: 3000,
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
