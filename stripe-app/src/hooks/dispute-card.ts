// A dispute as the views show it: badges, amount, reason with its network code and meaning,
// the deadline countdown while a response is possible, and the timeline.
import type { Dispute, DisputeDetail } from '@disputedesk/contract';
import { dateTime, deadline, label, money, type Deadline } from '../format';

export type BadgeType = 'neutral' | 'urgent' | 'warning' | 'negative' | 'positive' | 'info';

export interface DisputeCardModel {
  id: string;
  amount: string;
  status: string;
  statusBadge: BadgeType;
  type: string;
  stripeStatus: string;
  reason: string;
  reasonCode: string | null;
  meaning: string;
  deadline: Deadline | null;
  /** Open with a deadline ahead: the merchant can still respond. */
  answerable: boolean;
  orderId: string | null;
  transactionId: string | null;
  evidenceSubmissions: number;
  openedAt: string;
  timeline: Array<{ key: string; title: string; at: string }>;
  dashboardUrl: string;
  /** The payment's page in the Dashboard, as an SDK route (null when the payment is unknown). */
  paymentRoute: { name: 'paymentDetails'; params: { paymentId: string } } | null;
}

const TYPE_LABELS: Record<Dispute['type'], string> = {
  RETRIEVAL: 'Inquiry',
  DISPUTE: 'Chargeback',
  PREARBITRATION: 'Pre-arbitration',
  COMPLIANCE: 'Compliance',
};

function badge(d: Dispute, due: Deadline | null): BadgeType {
  switch (d.status) {
    case 'OPEN':
      return due?.urgent ? 'urgent' : 'warning';
    case 'CHALLENGED':
      return 'info';
    case 'WON':
      return 'positive';
    case 'LOST':
    case 'EXPIRED':
      return 'negative';
    default:
      return 'neutral';
  }
}

export function disputeCard(
  d: Dispute | DisputeDetail,
  now: number,
  locale = 'en-US',
): DisputeCardModel {
  const paymentId = d.paymentIntentId ?? d.chargeId;
  const due = d.status === 'OPEN' ? deadline(d.challengeRequiredBy, now) : null;
  return {
    id: d.id,
    amount: money(d.amount, d.currency, locale),
    status: label(d.status),
    statusBadge: badge(d, due),
    type: TYPE_LABELS[d.type],
    stripeStatus: label(d.stripeStatus),
    reason: label(d.reason),
    reasonCode: d.reasonCode,
    meaning: d.reasonMeaning,
    deadline: due,
    answerable:
      d.status === 'OPEN' &&
      d.evidenceSubmissions === 0 &&
      !!d.challengeRequiredBy &&
      new Date(d.challengeRequiredBy).getTime() > now,
    orderId: d.orderId,
    transactionId: d.transactionId,
    evidenceSubmissions: d.evidenceSubmissions,
    openedAt: dateTime(d.createdAt, locale),
    timeline:
      'timeline' in d
        ? d.timeline.map((t) => ({
            key: t.stripeStatus,
            title: `${label(t.stripeStatus)} → ${label(t.status)}`,
            at: `${dateTime(t.occurredAt, locale)} UTC`,
          }))
        : [],
    dashboardUrl: d.dashboardUrl,
    paymentRoute: paymentId ? { name: 'paymentDetails', params: { paymentId } } : null,
  };
}
