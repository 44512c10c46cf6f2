// Restricted keys (rk_test_…, rk_live_…): each carries permissions per resource, `read` or
// `write` (write implies read). A call outside them fails like Stripe's: 403 naming the
// permission that would allow it.
import type { Access, Permissions } from './access.ts';
import { appPermissionFor } from './app-permissions.ts';
import { StripeApiError } from './errors.ts';

export type { Access, Permissions } from './access.ts';

/** The permission resource behind an API path, by its first segments. */
const RESOURCES: Array<[RegExp, string]> = [
  [/^\/v1\/charges/, 'charge'],
  [/^\/v1\/disputes/, 'dispute'],
  [/^\/v1\/payment_intents/, 'payment_intent'],
  [/^\/v1\/setup_intents/, 'setup_intent'],
  [/^\/v1\/payment_methods/, 'payment_method'],
  [/^\/v1\/customers\/[^/]+\/sources/, 'source'],
  [/^\/v1\/customers/, 'customer'],
  [/^\/v1\/products/, 'product'],
  [/^\/v1\/(prices|plans)/, 'plan'],
  [/^\/v1\/(subscriptions|subscription_schedules)/, 'subscription'],
  [/^\/v1\/quotes/, 'quote'],
  [/^\/v1\/(checkout\/sessions|payment_pages)/, 'checkout_session'],
  [/^\/v1\/credit_notes/, 'credit_note'],
  [/^\/v1\/(coupons|promotion_codes)/, 'coupon'],
  [/^\/v1\/tax_rates/, 'tax_rate'],
  [/^\/v1\/payment_links/, 'payment_links'],
  [/^\/v1\/billing_portal/, 'customer_portal'],
  [/^\/v1\/test_helpers\/test_clocks/, 'billing_clock'],
  [/^\/v1\/refunds/, 'refund'],
  [/^\/v1\/payouts/, 'payout'],
  [/^\/v1\/balance_transactions/, 'balance_transaction_source'],
  [/^\/v1\/balance/, 'balance'],
  [/^\/v1\/reporting\/report_runs/, 'report_run'],
  [/^\/v1\/reporting\/report_types/, 'report_type'],
  [/^\/v1\/files/, 'file'],
  [/^\/v1\/events/, 'event'],
  [/^\/v1\/webhook_endpoints/, 'webhook'],
  [/^\/v1\/invoiceitems/, 'invoice'],
  [/^\/v1\/invoices/, 'invoice'],
  [/^\/v1\/radar\/early_fraud_warnings/, 'radar_early_fraud_warning'],
  [/^\/v1\/accounts?/, 'connected_account'],
];

export const PERMISSION_RESOURCES = [...new Set(RESOURCES.map(([, r]) => r))];

export function resourceOf(path: string): string | undefined {
  return RESOURCES.find(([re]) => re.test(path))?.[1];
}

export function checkPermission(
  permissions: Permissions,
  method: string,
  path: string,
  key: string,
  account: string,
  app = false,
) {
  // Any key may read its own account (that is how a key learns whose it is).
  if (path === '/v1/account' && method === 'GET') return;
  const resource = resourceOf(path);
  const need: Access = method === 'GET' ? 'read' : 'write';
  const has = resource ? permissions[resource] : undefined;
  if (has === 'write' || (has === 'read' && need === 'read')) return;
  const masked = `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;
  if (app) {
    const wanted = resource ? appPermissionFor(resource, need) : null;
    throw new StripeApiError(
      403,
      'invalid_request_error',
      `The provided key '${masked}' does not have the required permissions for this endpoint on account '${account}'. ${
        wanted
          ? `Your app needs the '${wanted}' permission in its manifest (and the merchant's approval) for this request.`
          : 'No permission a Stripe App can request allows this request.'
      }`,
    );
  }
  throw new StripeApiError(
    403,
    'invalid_request_error',
    `The provided key '${masked}' does not have the required permissions for this endpoint on account '${account}'. Having the 'rak_${resource ?? 'unknown'}_${need}' permission would allow this request to continue.`,
  );
}
