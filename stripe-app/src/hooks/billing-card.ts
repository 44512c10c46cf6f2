// View-model of what a Billing payment paid for: its invoice and the subscription it belongs to,
// with the fact that decides a "canceled subscription" dispute — whether the customer canceled
// before or after this payment — said in words.
import type { PaymentBilling } from '@disputedesk/contract';
import { day, label, money } from '../format';

export interface BillingCardModel {
  title: string;
  statusBadge: 'neutral' | 'positive' | 'warning' | 'negative';
  status: string | null;
  facts: Array<{ label: string; value: string }>;
  /** Shown as a banner: what the cancellation timing means for this dispute. */
  cancellation: { tone: 'default' | 'caution'; title: string; detail: string } | null;
}

const BADGES: Record<string, BillingCardModel['statusBadge']> = {
  active: 'positive',
  trialing: 'positive',
  past_due: 'warning',
  unpaid: 'warning',
  paused: 'warning',
  incomplete: 'warning',
  canceled: 'negative',
  incomplete_expired: 'negative',
};

export function billingCard(b: PaymentBilling, locale: string): BillingCardModel {
  const { invoice, subscription: s } = b;
  const period =
    invoice.periodStart && invoice.periodEnd && invoice.periodStart !== invoice.periodEnd
      ? `${day(invoice.periodStart, locale)} – ${day(invoice.periodEnd, locale)}`
      : null;
  const facts = [
    {
      label: 'Invoice',
      value: `${invoice.number ?? invoice.id} · ${money(invoice.amountPaid, invoice.currency, locale)} paid${invoice.billingReason ? ` · ${label(invoice.billingReason)}` : ''}`,
    },
    ...(period ? [{ label: 'Service period', value: period }] : []),
  ];
  if (!s) {
    return {
      title: 'Invoice payment',
      statusBadge: 'neutral',
      status: null,
      facts,
      cancellation: null,
    };
  }
  if (s.unitAmount !== null && s.interval) {
    facts.push({
      label: 'Price',
      value: `${money(s.unitAmount, invoice.currency, locale)} every ${s.interval}`,
    });
  }
  if (s.startedAt) facts.push({ label: 'Subscribed since', value: day(s.startedAt, locale) });
  if (s.canceledAt) facts.push({ label: 'Canceled on', value: day(s.canceledAt, locale) });
  if (s.endedAt) facts.push({ label: 'Ended on', value: day(s.endedAt, locale) });
  else if (s.cancelAt) facts.push({ label: 'Ends on', value: day(s.cancelAt, locale) });
  if (s.cancellationFeedback)
    facts.push({ label: 'Customer’s reason', value: label(s.cancellationFeedback) });
  const cancellation =
    s.canceledBeforePayment === true
      ? {
          tone: 'caution' as const,
          title: 'Canceled before this payment',
          detail:
            'The customer canceled before this payment was taken: a canceled-subscription dispute is likely to be lost. Consider refunding or accepting.',
        }
      : s.canceledBeforePayment === false
        ? {
            tone: 'default' as const,
            title: 'Canceled after this payment',
            detail:
              'The customer canceled only after this payment was taken; the evidence draft says so, with the service period it paid for.',
          }
        : null;
  return {
    title: `Subscription${s.product ? `: ${s.product}` : ''}`,
    statusBadge: BADGES[s.status] ?? 'neutral',
    status: label(s.status),
    facts,
    cancellation,
  };
}
