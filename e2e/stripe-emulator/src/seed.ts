// The data generator: realistic two-year histories for connected accounts, fast enough to build
// a million objects for backfill benchmarks. Every object is a copy of one the API itself made
// (in a scratch account), with its own ids, times, amounts and links, so seeded and live objects
// have the same shape. Objects go in oldest first, as if they had happened in that order.
import type { RequestContext } from './context.ts';
import { StripeApiError } from './errors.ts';
import { createCustomerObject } from './resources/customers.ts';
import { balanceTransaction, cardFee } from './resources/balance.ts';
import { createPaymentIntent } from './resources/payment-intents.ts';
import { createRefund } from './resources/refunds.ts';
import { createPlain } from './resources/crud.ts';
import { PRICE, PRODUCT } from './resources/catalog.ts';
import { attach, resolvePaymentMethod } from './resources/payment-methods.ts';
import { createSubscriptionFor } from './resources/subscriptions.ts';
import { createPayout } from './resources/payouts.ts';
import type { Account, EmulatorState, StoredObject } from './state.ts';

export interface SeedOptions {
  /** Seed this existing account; otherwise `accounts` new connected accounts are made. */
  account?: string;
  accounts?: number;
  charges?: number;
  disputeRate?: number;
  refundRate?: number;
  /** This call's window of charges (Unix seconds); default: the two years up to an hour ago. */
  from?: number;
  to?: number;
  /**
   * The end of the whole history when seeding one account in several calls (consecutive
   * windows): refunds, disputes and payouts after `to` wait for the next call; the call whose
   * `to` reaches `end` (or one without `end`) settles them.
   */
  end?: number;
  /** Same seed, same data (ids included). */
  seed?: number;
  /**
   * Share of customers who subscribe (monthly, billed by invoices; their later payments are the
   * renewals). Default: half the seeded merchants sell subscriptions (0.4 of their customers),
   * the other half none.
   */
  subscriptionShare?: number;
}

const DAY = 86400;

/** mulberry32: small, fast, seedable. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const BRANDS = [
  { brand: 'visa', weight: 0.55, last4: ['4242', '1881', '0077'] },
  { brand: 'mastercard', weight: 0.3, last4: ['4444', '5100', '8210'] },
  { brand: 'amex', weight: 0.1, last4: ['8431', '0005'] },
  { brand: 'discover', weight: 0.05, last4: ['1117', '9424'] },
];

/** Dispute reasons with each network's reason code, roughly as often as merchants see them. */
const REASONS: Array<{ reason: string; weight: number; codes: Record<string, string> }> = [
  {
    reason: 'fraudulent',
    weight: 0.45,
    codes: { visa: '10.4', mastercard: '4837', amex: 'F29', discover: 'UA02' },
  },
  {
    reason: 'product_not_received',
    weight: 0.2,
    codes: { visa: '13.1', mastercard: '4855', amex: 'C08', discover: '4855' },
  },
  {
    reason: 'subscription_canceled',
    weight: 0.1,
    codes: { visa: '13.2', mastercard: '4841', amex: 'C28', discover: '4541' },
  },
  {
    reason: 'product_unacceptable',
    weight: 0.08,
    codes: { visa: '13.3', mastercard: '4853', amex: 'C31', discover: '4553' },
  },
  {
    reason: 'duplicate',
    weight: 0.05,
    codes: { visa: '12.6.1', mastercard: '4834', amex: 'P08', discover: '4534' },
  },
  {
    reason: 'credit_not_processed',
    weight: 0.07,
    codes: { visa: '13.6', mastercard: '4860', amex: 'C02', discover: '4514' },
  },
  {
    reason: 'general',
    weight: 0.05,
    codes: { visa: '13.7', mastercard: '4853', amex: 'C32', discover: '4586' },
  },
];

const OUTCOMES: Array<{ status: string; weight: number }> = [
  { status: 'won', weight: 0.3 },
  { status: 'lost', weight: 0.45 },
  { status: 'needs_response', weight: 0.08 },
  { status: 'under_review', weight: 0.07 },
  { status: 'warning_closed', weight: 0.06 },
  { status: 'warning_needs_response', weight: 0.04 },
];

const CURRENCIES = [
  { currency: 'usd', weight: 0.8 },
  { currency: 'eur', weight: 0.15 },
  { currency: 'gbp', weight: 0.05 },
];

type Templates = Record<
  | 'customer'
  | 'payment_intent'
  | 'charge'
  | 'refund'
  | 'dispute'
  | 'payout'
  | 'early_fraud_warning'
  | 'product'
  | 'price'
  | 'subscription'
  | 'invoice',
  StoredObject
>;

const FEEDBACK = ['too_expensive', 'unused', 'switched_service', 'missing_features', 'other'];

/** One object of each kind, made through the API in a scratch account that is then dropped. */
function templates(state: EmulatorState): Templates {
  const scratch = state.createAccount(null);
  const ctx: RequestContext = {
    state,
    account: scratch,
    livemode: false,
    connected: false,
    params: {},
    path: '/seed',
    requestId: 'req_seed',
    idempotencyKey: null,
  };
  try {
    const customer = createCustomerObject({
      ...ctx,
      params: { email: 'x@example.com', name: 'X' },
    });
    const pay = (payment_method: string) =>
      createPaymentIntent({
        ...ctx,
        params: {
          amount: 5000,
          currency: 'usd',
          customer: customer.id,
          payment_method,
          confirm: 'true',
        },
      });
    pay('pm_card_bypassPending');
    createPayout({ ...ctx, params: { amount: 100, currency: 'usd' } });
    const disputed = pay('pm_card_createDispute');
    pay('pm_card_createIssuerFraudRecord');
    const refundable = pay('pm_card_visa');
    createRefund({ ...ctx, params: { payment_intent: refundable.id } });
    const first = (resource: string) =>
      state.newestFirst(scratch, resource).next().value as StoredObject;
    const product = createPlain(PRODUCT, { ...ctx, params: { name: 'Monthly box' } });
    const price = createPlain(PRICE, {
      ...ctx,
      params: {
        product: product.id,
        unit_amount: 2900,
        currency: 'usd',
        recurring: { interval: 'month' },
      },
    });
    attach(ctx, resolvePaymentMethod(ctx, 'pm_card_visa'), customer.id);
    const subscription = createSubscriptionFor(ctx, {
      customer: customer.id,
      items: [{ price: price.id }],
    });
    const invoice = state.get(scratch, 'invoice', subscription.latest_invoice as string)!;
    return {
      product,
      price,
      subscription,
      invoice,
      customer,
      payment_intent: disputed,
      charge: state.get(scratch, 'charge', disputed.latest_charge as string)!,
      refund: first('refund'),
      dispute: first('dispute'),
      payout: first('payout'),
      early_fraud_warning: first('early_fraud_warning'),
    };
  } finally {
    state.accounts.delete(scratch.id);
  }
}

interface Carry {
  /** The counters of the call running now: work carried over from an earlier call counts here. */
  sink: { counts: Record<string, number>; objects: number };
  later: Array<{ at: number; run: () => void }>;
  customers: StoredObject[];
  pending: Map<string, number>;
  nextPayout: number;
  /** Billing merchants: their price, and each subscribed customer's live subscription. */
  billing: { price: StoredObject; share: number; subs: Map<string, StoredObject> } | null;
}
const carries = new WeakMap<Account, Carry>();
/** Invoices made so far per seeded subscription (their numbers). */
const invoiceCounts = new WeakMap<StoredObject, number>();

export interface SeedSummary {
  accounts: Array<{ id: string; objects: number }>;
  objects: Record<string, number>;
  total: number;
  ms: number;
  objectsPerSecond: number;
}

export function seedAccounts(
  state: EmulatorState,
  platformId: string,
  options: SeedOptions,
): SeedSummary {
  const started = performance.now();
  const t = templates(state);
  const random = rng(options.seed ?? Date.now());
  const pick = <T extends { weight: number }>(items: T[]) => {
    let r = random();
    for (const item of items) if ((r -= item.weight) <= 0) return item;
    return items[items.length - 1]!;
  };
  const id = (prefix: string, length = 24) => {
    let out = `${prefix}_`;
    for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * 62)];
    return out;
  };
  const to = options.to ?? Math.floor(Date.now() / 1000) - 3600;
  const from = options.from ?? to - 730 * DAY;
  const end = options.end ?? to;
  const charges = Math.max(0, Math.floor(options.charges ?? 1000));
  const disputeRate = options.disputeRate ?? 0.01;
  const refundRate = options.refundRate ?? 0.05;

  const counts: Record<string, number> = {};
  const accounts: Account[] = [];
  if (options.account) {
    const existing = state.accounts.get(options.account);
    if (!existing) {
      throw new StripeApiError(400, 'invalid_request_error', `No such account: ${options.account}`);
    }
    accounts.push(existing);
  } else {
    for (let i = 0; i < (options.accounts ?? 1); i++)
      accounts.push(state.createAccount(platformId));
  }

  const perAccount: SeedSummary['accounts'] = [];
  for (const account of accounts) {
    const carry: Carry = carries.get(account) ?? {
      sink: { counts, objects: 0 },
      later: [],
      customers: [],
      pending: new Map(),
      nextPayout: from + 7 * DAY,
      billing: null,
    };
    carries.set(account, carry);
    carry.sink = { counts, objects: 0 };
    const put = (resource: string, o: StoredObject) => {
      state.insert(account, resource, o);
      const sink = carry.sink;
      sink.counts[resource] = (sink.counts[resource] ?? 0) + 1;
      sink.objects++;
      return o;
    };
    // Everything that happens, in time order: charges now; refunds, disputes, payouts later.
    const { later, customers, pending } = carry;
    const share = options.subscriptionShare ?? (random() < 0.5 ? 0.4 : 0);
    if (carry.billing === null && carry.customers.length === 0 && share > 0) {
      const product = put('product', {
        ...t.product,
        id: id('prod', 14),
        created: from,
        updated: from,
      });
      const price = put('price', {
        ...t.price,
        id: id('price'),
        created: from,
        product: product.id,
      });
      carry.billing = { price, share, subs: new Map() };
    }
    const billing = carry.billing;
    const times = Array.from(
      { length: charges },
      () => from + Math.floor(random() * (to - from)),
    ).sort((a, b) => a - b);
    const txn = (m: Parameters<typeof balanceTransaction>[0]) => {
      const b = balanceTransaction(m);
      b.id = id('txn');
      return put('balance_transaction', b);
    };
    let nextPayout = carry.nextPayout;
    const flushLater = (until: number) => {
      later.sort((a, b) => a.at - b.at);
      while (later.length && later[0]!.at <= until) later.shift()!.run();
    };
    for (const at of times) {
      while (at >= nextPayout) {
        flushLater(nextPayout);
        for (const [currency, amount] of pending) {
          if (amount <= 0) continue;
          const po = id('po');
          const b = txn({
            amount: -amount,
            currency,
            type: 'payout',
            reportingCategory: 'payout',
            source: po,
            description: 'STRIPE PAYOUT',
            created: nextPayout,
            availableIn: 0,
          });
          b.payout = po;
          put('payout', {
            ...t.payout,
            id: po,
            amount,
            currency,
            created: nextPayout,
            arrival_date: nextPayout + 2 * DAY,
            automatic: true,
            balance_transaction: b.id,
            destination: `ba_${account.id.slice(5)}`,
            status: nextPayout + 2 * DAY < to ? 'paid' : 'in_transit',
            metadata: {},
            description: 'STRIPE PAYOUT',
          });
          pending.set(currency, 0);
        }
        nextPayout += 7 * DAY;
      }
      flushLater(at);
      if (customers.length === 0 || random() < 0.35) {
        customers.push(
          put('customer', {
            ...t.customer,
            id: id('cus', 14),
            created: at,
            email: `buyer${customers.length}@example.com`,
            name: `Buyer ${customers.length}`,
            metadata: {},
          }),
        );
        if (billing && random() < billing.share) {
          const customerId = customers[customers.length - 1]!.id;
          const subId = id('sub');
          const template = t.subscription;
          const item = (template.items as { data: Array<Record<string, unknown>> }).data[0]!;
          billing.subs.set(
            customerId,
            put('subscription', {
              ...template,
              id: subId,
              billing_cycle_anchor: at,
              created: at,
              customer: customerId,
              current_period_start: at,
              current_period_end: at + 30 * DAY,
              items: {
                ...(template.items as object),
                data: [
                  {
                    ...item,
                    id: id('si', 14),
                    created: at,
                    current_period_start: at,
                    current_period_end: at + 30 * DAY,
                    price: billing.price,
                    subscription: subId,
                  },
                ],
                url: `/v1/subscription_items?subscription=${subId}`,
              },
              latest_invoice: null,
              metadata: {},
              start_date: at,
              status: 'active',
              cancellation_details: { comment: null, feedback: null, reason: null },
            }),
          );
        }
      }
      const customer = customers[Math.floor(random() * customers.length)]!;
      const sub = billing?.subs.get(customer.id);
      const { brand, last4 } = (() => {
        const b = pick(BRANDS);
        return { brand: b.brand, last4: b.last4[Math.floor(random() * b.last4.length)]! };
      })();
      // Drawn for every payment (same seed, same data); a renewal is the subscription's price.
      const oneOff = {
        currency: pick(CURRENCIES).currency,
        amount: 500 + Math.floor(random() * 30_000),
      };
      const currency = sub ? (billing!.price.currency as string) : oneOff.currency;
      const amount = sub ? Number(billing!.price.unit_amount) : oneOff.amount;
      const failed = random() < 0.06;
      const piId = id('pi');
      const chId = id('ch');
      const orderId = `ORD-${Math.floor(random() * 1e8)}`;
      const card = {
        ...(t.charge.payment_method_details as { card: object }).card,
        brand,
        last4,
        network: brand,
      };
      let balanceTxn: StoredObject | null = null;
      if (!failed) {
        const fee = cardFee(amount);
        balanceTxn = txn({
          amount,
          currency,
          type: 'charge',
          reportingCategory: 'charge',
          source: chId,
          fee,
          created: at,
          description: `Order ${orderId}`,
        });
        pending.set(currency, (pending.get(currency) ?? 0) + amount - fee);
      }
      put('payment_intent', {
        ...t.payment_intent,
        id: piId,
        amount,
        currency,
        created: at,
        customer: customer.id,
        amount_received: failed ? 0 : amount,
        latest_charge: chId,
        payment_method: id('pm'),
        client_secret: `${piId}_secret_x`,
        status: failed ? 'requires_payment_method' : 'succeeded',
        metadata: { order_id: orderId },
        description: `Order ${orderId}`,
        last_payment_error: null,
      });
      const charge = put('charge', {
        ...t.charge,
        id: chId,
        amount,
        amount_captured: failed ? 0 : amount,
        amount_refunded: 0,
        balance_transaction: balanceTxn?.id ?? null,
        captured: !failed,
        created: at,
        currency,
        customer: customer.id,
        description: `Order ${orderId}`,
        disputed: false,
        failure_code: failed ? 'card_declined' : null,
        failure_message: failed ? 'Your card was declined.' : null,
        metadata: { order_id: orderId },
        outcome: {
          ...(t.charge.outcome as object),
          network_status: failed ? 'declined_by_network' : 'approved_by_network',
          type: failed ? 'issuer_declined' : 'authorized',
          reason: failed ? 'generic_decline' : null,
        },
        paid: !failed,
        payment_intent: piId,
        payment_method_details: { card, type: 'card' },
        refunded: false,
        status: failed ? 'failed' : 'succeeded',
      });
      if (sub) {
        const inId = id('in');
        const first = sub.latest_invoice === null;
        const line = (t.invoice.lines as { data: Array<Record<string, unknown>> }).data[0]!;
        const seq = (invoiceCounts.get(sub) ?? 0) + 1;
        invoiceCounts.set(sub, seq);
        put('invoice', {
          ...t.invoice,
          id: inId,
          amount_due: amount,
          amount_paid: failed ? 0 : amount,
          amount_remaining: failed ? amount : 0,
          attempt_count: 1,
          billing_reason: first ? 'subscription_create' : 'subscription_cycle',
          created: at,
          currency,
          customer: customer.id,
          customer_email: customer.email,
          customer_name: customer.name,
          hosted_invoice_url: null,
          invoice_pdf: null,
          lines: {
            ...(t.invoice.lines as object),
            data: [
              {
                ...line,
                id: id('il'),
                amount,
                invoice: inId,
                period: { start: at, end: at + 30 * DAY },
                subscription: sub.id,
              },
            ],
            url: `/v1/invoices/${inId}/lines`,
          },
          number: `${sub.id.slice(4, 12).toUpperCase()}-${String(seq).padStart(4, '0')}`,
          parent: {
            quote_details: null,
            subscription_details: { metadata: {}, subscription: sub.id },
            type: 'subscription_details',
          },
          payments: {
            object: 'list',
            data: [
              {
                id: id('inpay'),
                object: 'invoice_payment',
                amount_paid: failed ? 0 : amount,
                amount_requested: amount,
                created: at,
                currency,
                invoice: inId,
                is_default: true,
                livemode: false,
                payment: { payment_intent: piId, type: 'payment_intent' },
                status: failed ? 'open' : 'paid',
                status_transitions: { canceled_at: null, paid_at: failed ? null : at },
              },
            ],
            has_more: false,
            url: `/v1/invoice_payments?invoice=${inId}`,
          },
          period_end: at + 30 * DAY,
          period_start: at,
          status: failed ? 'open' : 'paid',
          status_transitions: {
            finalized_at: at,
            marked_uncollectible_at: null,
            paid_at: failed ? null : at,
            voided_at: null,
          },
          subtotal: amount,
          subtotal_excluding_tax: amount,
          total: amount,
          total_excluding_tax: amount,
        });
        sub.latest_invoice = inId;
        sub.status = failed ? 'past_due' : 'active';
        sub.current_period_start = at;
        sub.current_period_end = at + 30 * DAY;
        const item = (sub.items as { data: Array<Record<string, unknown>> }).data[0]!;
        item.current_period_start = at;
        item.current_period_end = at + 30 * DAY;
        // Some customers cancel before the next renewal; their later payments are one-off.
        if (random() < 0.08) {
          const canceledAt = at + DAY * (1 + Math.floor(random() * 25));
          billing!.subs.delete(customer.id);
          if (canceledAt < end) {
            later.push({
              at: canceledAt,
              run: () => {
                sub.status = 'canceled';
                sub.canceled_at = canceledAt;
                sub.ended_at = canceledAt;
                sub.cancellation_details = {
                  comment: null,
                  feedback: FEEDBACK[Math.floor(random() * FEEDBACK.length)],
                  reason: 'cancellation_requested',
                };
              },
            });
          }
        }
      }
      if (failed) continue;
      const r = random();
      if (r < disputeRate) {
        const { reason, codes } =
          sub && random() < 0.4
            ? REASONS.find((x) => x.reason === 'subscription_canceled')!
            : pick(REASONS);
        const { status } = pick(OUTCOMES);
        const opened = at + DAY * (3 + Math.floor(random() * 60));
        if (opened >= end) continue;
        later.push({
          at: opened,
          run: () => {
            const du = id('du');
            const inquiry = status.startsWith('warning_');
            const txns: StoredObject[] = [];
            if (!inquiry) {
              txns.push(
                txn({
                  amount: -amount,
                  currency,
                  type: 'adjustment',
                  reportingCategory: 'dispute',
                  source: du,
                  fee: 1500,
                  created: opened,
                  availableIn: 0,
                  description: `Chargeback withdrawal for ${chId}`,
                }),
              );
              pending.set(currency, (pending.get(currency) ?? 0) - amount - 1500);
            }
            charge.disputed = true;
            const code = codes[brand] ?? '10.4';
            const closedAt = opened + DAY * (20 + Math.floor(random() * 50));
            if (status === 'won' && closedAt < end) {
              later.push({
                at: closedAt,
                run: () => {
                  txns.push(
                    txn({
                      amount,
                      currency,
                      type: 'adjustment',
                      reportingCategory: 'dispute_reversal',
                      source: du,
                      created: closedAt,
                      availableIn: 0,
                      description: `Chargeback reversal for ${chId}`,
                    }),
                  );
                  pending.set(currency, (pending.get(currency) ?? 0) + amount);
                },
              });
            }
            const template = t.dispute;
            put('dispute', {
              ...template,
              id: du,
              amount,
              balance_transactions: txns,
              charge: chId,
              created: opened,
              currency,
              evidence: { ...(template.evidence as object) },
              evidence_details: {
                ...(template.evidence_details as object),
                due_by: opened + 7 * DAY,
                has_evidence: ['won', 'lost', 'under_review'].includes(status),
                submission_count: ['won', 'lost', 'under_review'].includes(status) ? 1 : 0,
                past_due: status === 'needs_response' && opened + 7 * DAY < to,
              },
              is_charge_refundable: inquiry,
              metadata: {},
              network_reason_code: code,
              payment_intent: piId,
              payment_method_details: {
                card: {
                  brand,
                  case_type: inquiry ? 'inquiry' : 'chargeback',
                  network: brand,
                  network_reason_code: code,
                },
                type: 'card',
              },
              reason,
              status,
            });
            if (reason === 'fraudulent' && random() < 0.5) {
              put('early_fraud_warning', {
                ...t.early_fraud_warning,
                id: id('issfr'),
                charge: chId,
                payment_intent: piId,
                created: opened - DAY,
                fraud_type: 'made_with_stolen_card',
              });
            }
          },
        });
      } else if (r < disputeRate + refundRate) {
        const refundedAt = at + DAY * (1 + Math.floor(random() * 30));
        if (refundedAt >= end) continue;
        const partial = random() < 0.3;
        later.push({
          at: refundedAt,
          run: () => {
            const re = id('re');
            const refundAmount = partial ? Math.max(100, Math.floor(amount / 2)) : amount;
            const b = txn({
              amount: -refundAmount,
              currency,
              type: 'refund',
              reportingCategory: 'refund',
              source: re,
              created: refundedAt,
              availableIn: 0,
              description: 'REFUND FOR CHARGE',
            });
            pending.set(currency, (pending.get(currency) ?? 0) - refundAmount);
            charge.amount_refunded = refundAmount;
            charge.refunded = !partial;
            put('refund', {
              ...t.refund,
              id: re,
              amount: refundAmount,
              balance_transaction: b.id,
              charge: chId,
              created: refundedAt,
              currency,
              payment_intent: piId,
              reason: 'requested_by_customer',
              metadata: {},
            });
          },
        });
      }
    }
    if (to >= end) {
      flushLater(end);
      carries.delete(account);
    } else {
      flushLater(to);
      carry.nextPayout = nextPayout;
    }
    perAccount.push({ id: account.id, objects: carry.sink.objects });
  }
  const ms = performance.now() - started;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    accounts: perAccount,
    objects: counts,
    total,
    ms: Math.round(ms),
    objectsPerSecond: Math.round(total / (ms / 1000)),
  };
}
