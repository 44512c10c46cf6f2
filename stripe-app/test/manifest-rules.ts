// Stripe's rules for an app manifest, written here as zod: every rule of the published JSON schema
// (stripe/stripe-apps, schema/stripe-app.schema.json — draft-07, no unknown keys at the top, in a
// permission, in a post-install action) plus the fields Stripe's manifest reference documents
// beyond it (stripe_api_access_type, distribution_type, sandbox_install_compatible, the onboarding
// post-install action and viewport). What Stripe accepts, this accepts; what it refuses, this
// refuses. A local manifest may `extends` another (Stripe's CLI merges them); `resolveManifest`
// merges the same way: objects key by key, anything else replaced.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The permission ids Stripe's schema enumerates. */
export const STRIPE_PERMISSIONS = [
  'account_link_write',
  'application_fee_read',
  'application_fee_write',
  'apply_pay_domain_read',
  'apply_pay_domain_write',
  'balance_read',
  'balance_transaction_source_read',
  'billing_clock_read',
  'billing_clock_write',
  'capital_for_platforms_financing_offer_read',
  'charge_read',
  'charge_write',
  'checkout_session_read',
  'checkout_session_write',
  'connected_account_read',
  'coupon_read',
  'coupon_write',
  'credit_note_read',
  'credit_note_write',
  'customer_portal_read',
  'customer_portal_write',
  'customer_read',
  'customer_write',
  'dispute_read',
  'dispute_write',
  'edit_link_write',
  'elements_write',
  'event_read',
  'file_read',
  'file_write',
  'invoice_read',
  'invoice_write',
  'issuing_authorization_read',
  'issuing_authorization_write',
  'issuing_card_read',
  'issuing_card_write',
  'issuing_cardholder_read',
  'issuing_cardholder_write',
  'issuing_dispute_read',
  'issuing_dispute_write',
  'issuing_transaction_read',
  'issuing_transaction_write',
  'mandate_read',
  'mandate_write',
  'order_read',
  'order_write',
  'payment_intent_read',
  'payment_intent_write',
  'payment_links_read',
  'payment_links_write',
  'payment_method_read',
  'payment_method_write',
  'payout_read',
  'payout_write',
  'plan_read',
  'plan_write',
  'product_read',
  'product_write',
  'quote_read',
  'quote_write',
  'report_runs_and_report_types_read',
  'secret_write',
  'setup_intent_read',
  'setup_intent_write',
  'sku_read',
  'sku_write',
  'source_read',
  'source_write',
  'stripecli_session_write',
  'subscription_read',
  'subscription_write',
  'tax_rate_read',
  'tax_rate_write',
  'token_read',
  'token_write',
  'top_up_read',
  'top_up_write',
  'transfer_read',
  'transfer_write',
  'usage_record_read',
  'usage_record_write',
  'user_email_read',
  'webhook_read',
  'webhook_write',
] as const;

/** The viewports Stripe's schema enumerates, and `onboarding` (the reference's onboarding view). */
export const STRIPE_VIEWPORTS = [
  'settings',
  'onboarding',
  'stripe.dashboard.balance.overview',
  'stripe.dashboard.billing.overview',
  'stripe.dashboard.customer.detail',
  'stripe.dashboard.customer.list',
  'stripe.dashboard.drawer.default',
  'stripe.dashboard.home.overview',
  'stripe.dashboard.invoice.detail',
  'stripe.dashboard.invoice.list',
  'stripe.dashboard.payment-link.detail',
  'stripe.dashboard.payment-link.list',
  'stripe.dashboard.payment.detail',
  'stripe.dashboard.payment.list',
  'stripe.dashboard.product.detail',
  'stripe.dashboard.product.list',
  'stripe.dashboard.report.overview',
  'stripe.dashboard.revenue-recognition.overview',
  'stripe.dashboard.subscription.detail',
  'stripe.dashboard.subscription.list',
  'stripe.dashboard.tax-report.overview',
] as const;

const uri = (pattern: RegExp) => z.url().regex(pattern);
const nullableArray = <T extends z.ZodType>(item: T) => z.array(item).nullable();

export const StripeManifest = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-zA-Z0-9_\-.]+$/),
    version: z.string().min(1),
    name: z.string().min(1),
    // The schema's icon pattern: empty, or ./path.png without ".." runs.
    icon: z.string().regex(/^$|^\.\/((\.\.\/|[a-zA-Z0-9_/\-\\])[^.]*\.png)$/),
    permissions: z.array(
      z.object({ permission: z.enum(STRIPE_PERMISSIONS), purpose: z.string().min(1) }).strict(),
    ),
    app_backend: z
      .object({
        webhooks: nullableArray(
          z.object({
            url: z.url(),
            enabled_events: nullableArray(
              z.string().regex(/^[a-z]{1,}\.(deleted|created|updated)$/),
            ),
            api_version: z.string().regex(/^[0-9]+\.[0-9]+\.[0-9]+$/),
          }),
        ).optional(),
      })
      .strict()
      .nullable()
      .optional(),
    post_install_action: z
      .union([
        z.null(),
        z.object({ type: z.literal('settings') }).strict(),
        z.object({ type: z.literal('onboarding') }).strict(),
        z.object({ type: z.literal('external'), url: uri(/^https?:\/\//) }).strict(),
      ])
      .optional(),
    ui_extension: z.object({
      views: z
        .array(
          z.object({
            viewport: z.enum(STRIPE_VIEWPORTS),
            component: z.string().regex(/^[a-zA-Z0-9_]{1,}$/),
          }),
        )
        .optional(),
      content_security_policy: z
        .object({
          'connect-src': nullableArray(uri(/^https?:\/\/.*\/.+/)).optional(),
          'image-src': nullableArray(uri(/^https?:\/\/.+/)).optional(),
          purpose: z.string(),
        })
        .optional(),
    }),
    constants: z.record(z.string(), z.unknown()).nullable().optional(),
    allowed_redirect_uris: nullableArray(uri(/^https?:\/\/.*\/.+/)).optional(),
    // Documented in the manifest reference (not in the schema file).
    stripe_api_access_type: z.enum(['platform', 'oauth', 'restricted_api_key']).optional(),
    distribution_type: z.enum(['public', 'private']).optional(),
    sandbox_install_compatible: z.boolean().optional(),
  })
  .strict();
export type StripeManifest = z.infer<typeof StripeManifest>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** A manifest file with what it `extends` merged in (paths relative to the file). */
export function resolveManifest(file: string): unknown {
  const own = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const { extends: parent, ...rest } = own;
  if (typeof parent !== 'string') return own;
  return merge(resolveManifest(path.join(path.dirname(file), parent)), rest);
}
