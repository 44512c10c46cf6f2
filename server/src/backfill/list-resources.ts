// What a backfill lists, per resource: the stripe-node call for one page of objects created in a
// window, newest first, after a cursor.
import type Stripe from 'stripe';
import type { ResourceName } from '../stripe-objects/resources.ts';

export interface PageParams {
  limit: number;
  created: { gte: number; lt: number };
  starting_after?: string;
}

type Lister = (s: Stripe, p: PageParams) => Promise<Stripe.ApiList<{ id: string }>>;

export const BACKFILL_RESOURCES: Array<[ResourceName, Lister]> = [
  ['dispute', (s, p) => s.disputes.list(p)],
  ['charge', (s, p) => s.charges.list(p)],
  ['payment_intent', (s, p) => s.paymentIntents.list(p)],
  ['refund', (s, p) => s.refunds.list(p)],
  ['payout', (s, p) => s.payouts.list(p)],
  ['balance_transaction', (s, p) => s.balanceTransactions.list(p)],
  ['customer', (s, p) => s.customers.list(p)],
  ['invoice', (s, p) => s.invoices.list(p)],
  ['early_fraud_warning', (s, p) => s.radar.earlyFraudWarnings.list(p)],
  // Canceled subscriptions are listed only with status=all.
  ['subscription', (s, p) => s.subscriptions.list({ ...p, status: 'all' })],
  ['checkout_session', (s, p) => s.checkout.sessions.list(p)],
  ['product', (s, p) => s.products.list(p)],
  ['price', (s, p) => s.prices.list(p)],
];

export const LISTERS = new Map(BACKFILL_RESOURCES);
