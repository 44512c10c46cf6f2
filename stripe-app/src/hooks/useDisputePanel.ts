// View-model of the dispute panel on a payment's page: the payment's disputes (most recent
// first) with their deadlines and timelines, its early fraud warnings, and (Billing payments) the
// invoice and subscription it paid.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { useApi } from '../api/use-api';
import { dateTime, label, localeOf } from '../format';
import { billingCard, type BillingCardModel } from './billing-card';
import { disputeCard, type DisputeCardModel } from './dispute-card';
import { failure, useAsync } from './use-async';

const PAYMENT_ID = /^(ch|py|pi)_[A-Za-z0-9]+$/;

export interface DisputePanelModel {
  pending: boolean;
  /** The page is not a payment this panel can read. */
  unsupported: boolean;
  notConnected: boolean;
  disconnected: boolean;
  /** DisputeDesk has no record of this payment (yet). */
  unknownPayment: boolean;
  error: string | null;
  empty: boolean;
  disputes: DisputeCardModel[];
  warnings: Array<{ id: string; title: string; detail: string }>;
  /** Billing payments: the invoice and subscription it paid. */
  billing: BillingCardModel | null;
  reload: () => void;
}

export function useDisputePanel(
  context: ExtensionContextValue,
  now = Date.now(),
): DisputePanelModel {
  const api = useApi(context);
  const paymentId = context.environment.objectContext?.id ?? '';
  const supported = PAYMENT_ID.test(paymentId);
  const { pending, data, error, reload } = useAsync(
    () => (supported ? api.paymentDisputes(paymentId) : Promise.resolve(null)),
    paymentId,
  );
  const why = failure(error);
  const unknownPayment =
    (error?.details as { reason?: string } | undefined)?.reason === 'unknown_payment';
  const locale = localeOf(context);
  return {
    // The first load only: a reload keeps the panel (and an open Respond view) on screen.
    pending: supported && pending && !data,
    unsupported: !supported,
    notConnected: why?.kind === 'not_connected',
    disconnected: why?.kind === 'disconnected',
    unknownPayment,
    error: why?.kind === 'error' && !unknownPayment ? why.message : null,
    empty: !!data && data.disputes.length === 0,
    disputes: data?.disputes.map((d) => disputeCard(d, now, locale)) ?? [],
    warnings:
      data?.earlyFraudWarnings.map((w) => ({
        id: w.id,
        title: `Early fraud warning: ${label(w.fraudType)}`,
        detail: `${w.actionable ? 'Actionable — a refund now can prevent a dispute' : 'Not actionable'} · ${dateTime(w.createdAt, locale)} UTC`,
      })) ?? [],
    billing: data?.billing ? billingCard(data.billing, locale) : null,
    reload,
  };
}
