// What a restricted key must be before anything is stored: a restricted key (never a secret
// key) of the expected mode, belonging to the expected account, with every permission the
// product uses — each checked with a side-effect-free call, the missing ones named together.
import Stripe from 'stripe';
import { AppError } from '../../errors.ts';
import { patiently } from './patiently.ts';

const KEY_FORMAT = /^rk_(test|live)_[A-Za-z0-9]{16,}$/;

/** What the product reads (and the report runs it creates), each with a side-effect-free probe. */
const PROBES: Array<[permission: string, probe: (s: Stripe) => Promise<unknown>]> = [
  ['rak_dispute_read', (s) => s.disputes.list({ limit: 1 })],
  ['rak_charge_read', (s) => s.charges.list({ limit: 1 })],
  ['rak_payment_intent_read', (s) => s.paymentIntents.list({ limit: 1 })],
  ['rak_customer_read', (s) => s.customers.list({ limit: 1 })],
  ['rak_refund_read', (s) => s.refunds.list({ limit: 1 })],
  ['rak_payout_read', (s) => s.payouts.list({ limit: 1 })],
  ['rak_balance_read', (s) => s.balance.retrieve()],
  ['rak_balance_transaction_source_read', (s) => s.balanceTransactions.list({ limit: 1 })],
  ['rak_radar_early_fraud_warning_read', (s) => s.radar.earlyFraudWarnings.list({ limit: 1 })],
  ['rak_event_read', (s) => s.events.list({ limit: 1 })],
  ['rak_report_type_read', (s) => s.reporting.reportTypes.list()],
  ['rak_report_run_read', (s) => s.reporting.reportRuns.list({ limit: 1 })],
  // Without parameters the call is refused as invalid (400) when the key may write, 403 if not.
  [
    'rak_report_run_write',
    (s) => s.reporting.reportRuns.create({} as Stripe.Reporting.ReportRunCreateParams),
  ],
  ['rak_file_read', (s) => s.files.list({ limit: 1 })],
  // Billing and Checkout: a dispute on a subscription payment is argued from these.
  ['rak_invoice_read', (s) => s.invoices.list({ limit: 1 })],
  ['rak_subscription_read', (s) => s.subscriptions.list({ limit: 1, status: 'all' })],
  ['rak_checkout_session_read', (s) => s.checkout.sessions.list({ limit: 1 })],
  ['rak_product_read', (s) => s.products.list({ limit: 1 })],
  ['rak_plan_read', (s) => s.prices.list({ limit: 1 })],
];

export const REQUIRED_PERMISSIONS = PROBES.map(([p]) => p);

/** The trimmed key and its mode, or a clear refusal (secret key, format, other mode). */
export function parseKey(raw: string, expectedLivemode?: boolean) {
  const key = raw.trim();
  if (/^sk_(test|live)_/.test(key)) {
    throw new AppError(
      'invalid_api_key',
      'This is a secret key. Create a restricted key (rk_…) with the permissions DisputeDesk lists, and use that instead.',
      { reason: 'secret_key_refused' },
    );
  }
  const format = KEY_FORMAT.exec(key);
  if (!format) {
    throw new AppError(
      'invalid_api_key',
      'This does not look like a Stripe restricted key (rk_test_… or rk_live_…).',
      { reason: 'format' },
    );
  }
  const livemode = format[1] === 'live';
  if (expectedLivemode !== undefined && expectedLivemode !== livemode) {
    throw new AppError(
      'invalid_api_key',
      `This is a ${livemode ? 'live' : 'test'}-mode key, but you are connecting ${expectedLivemode ? 'live' : 'test'} mode.`,
      { reason: 'mode_mismatch' },
    );
  }
  return { key, livemode };
}

/** The account the key belongs to; refused when Stripe does not know the key or it is another's. */
export async function accountOfKey(stripe: Stripe, expectedAccountId?: string) {
  let account: Stripe.Account;
  try {
    account = await patiently(() => stripe.accounts.retrieveCurrent());
  } catch (err) {
    if (err instanceof Stripe.errors.StripeAuthenticationError) {
      throw new AppError(
        'invalid_api_key',
        'Stripe does not recognise this key (it may have been rolled or deleted).',
        { reason: 'unknown_key' },
      );
    }
    if (err instanceof Stripe.errors.StripePermissionError) {
      throw new AppError('missing_permissions', 'The key may not read its own account.', {
        missing: ['rak_account_read'],
        required: REQUIRED_PERMISSIONS,
      });
    }
    throw new AppError(
      'storage_unavailable',
      'Stripe could not be reached to check the key; retry later.',
      undefined,
      { cause: err },
    );
  }
  if (expectedAccountId && account.id !== expectedAccountId) {
    throw new AppError(
      'key_account_mismatch',
      `This key belongs to another Stripe account (${account.id}), not ${expectedAccountId}.`,
    );
  }
  return account;
}

async function missingPermissions(stripe: Stripe): Promise<string[]> {
  const results = await Promise.all(
    PROBES.map(async ([permission, probe]) => {
      try {
        await patiently(() => probe(stripe));
        return null;
      } catch (err) {
        if (err instanceof Stripe.errors.StripePermissionError) return permission;
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 400)
          return null;
        throw new AppError(
          'storage_unavailable',
          `Stripe could not be asked about ${permission}; retry later.`,
          undefined,
          { cause: err },
        );
      }
    }),
  );
  return results.filter((p): p is string => p !== null);
}

/** Refuses a key lacking any permission the product needs, naming every missing one. */
export async function requirePermissions(stripe: Stripe) {
  const missing = await missingPermissions(stripe);
  if (missing.length > 0) {
    throw new AppError(
      'missing_permissions',
      `The key lacks ${missing.length} permission${missing.length > 1 ? 's' : ''} DisputeDesk needs: ${missing.join(', ')}.`,
      { missing, required: REQUIRED_PERMISSIONS },
    );
  }
}
