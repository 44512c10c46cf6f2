// The app manifest (../stripe-app.json) against the rules of Stripe's app manifest schema
// (https://docs.stripe.com/stripe-apps/reference/app-manifest) — required fields and their
// patterns, known permissions and viewports, no unknown keys — and against what this app needs:
// every view's component exists, the icon is a real 300×300 PNG, and the backend URL constant
// matches the CSP and the OAuth redirect.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '../..');
const manifest: unknown = JSON.parse(readFileSync(path.join(ROOT, 'stripe-app.json'), 'utf8'));

const PERMISSIONS = [
  'balance_read',
  'balance_transaction_source_read',
  'charge_read',
  'customer_read',
  'dispute_read',
  'dispute_write',
  'event_read',
  'file_read',
  'file_write',
  'invoice_read',
  'payment_intent_read',
  'payment_method_read',
  'payout_read',
  'report_runs_and_report_types_read',
  'secret_write',
  'user_email_read',
  'webhook_read',
  'webhook_write',
] as const;

const VIEWPORTS = [
  'settings',
  'stripe.dashboard.balance.overview',
  'stripe.dashboard.customer.detail',
  'stripe.dashboard.customer.list',
  'stripe.dashboard.drawer.default',
  'stripe.dashboard.home.overview',
  'stripe.dashboard.invoice.detail',
  'stripe.dashboard.payment.detail',
  'stripe.dashboard.payment.list',
  'stripe.dashboard.report.overview',
] as const;

const urlWithPath = z
  .string()
  .url()
  .regex(/^https?:\/\/.*\/.+/, 'needs a path after the host');

/** Stripe's manifest rules, as far as this app uses the manifest (the schema forbids unknown keys). */
const ManifestSchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z0-9_\-.]+$/),
    version: z.string().min(1),
    name: z.string().min(1),
    icon: z.string().regex(/^\.\/((\.\.\/|[a-zA-Z0-9_/\-\\])[^.]*\.png)$/),
    stripe_api_access_type: z.enum(['platform', 'oauth', 'restricted_api_key']),
    distribution_type: z.enum(['public', 'private']),
    allowed_redirect_uris: z.array(urlWithPath).min(1),
    post_install_action: z.union([
      z.null(),
      z.object({ type: z.literal('settings') }).strict(),
      z.object({ type: z.literal('external'), url: z.string().regex(/^https?:\/\//) }).strict(),
    ]),
    permissions: z.array(
      z.object({ permission: z.enum(PERMISSIONS), purpose: z.string().min(1) }).strict(),
    ),
    ui_extension: z
      .object({
        views: z.array(
          z
            .object({
              viewport: z.enum(VIEWPORTS),
              component: z.string().regex(/^[a-zA-Z0-9_]+$/),
            })
            .strict(),
        ),
        content_security_policy: z
          .object({ 'connect-src': z.array(urlWithPath), purpose: z.string().min(1) })
          .strict(),
      })
      .strict(),
    constants: z.object({ API_BASE: z.string().url() }).strict(),
  })
  .strict();

const m = ManifestSchema.parse(manifest);

describe('stripe-app.json', () => {
  it('follows the manifest schema', () => {
    expect(() => ManifestSchema.parse(manifest)).not.toThrow();
  });

  it('rejects what the schema rejects (the check can fail)', () => {
    const broken = (patch: Record<string, unknown>) =>
      ManifestSchema.safeParse({ ...(manifest as object), ...patch }).success;
    expect(broken({ id: 'has spaces' })).toBe(false);
    expect(broken({ icon: 'icon.jpg' })).toBe(false);
    expect(broken({ permissions: [{ permission: 'dispute_read' }] })).toBe(false);
    expect(broken({ unknown_key: true })).toBe(false);
    expect(
      broken({
        ui_extension: {
          ...m.ui_extension,
          views: [{ viewport: 'stripe.dashboard.nowhere', component: 'X' }],
        },
      }),
    ).toBe(false);
  });

  it('asks for OAuth and every permission the product reads with, each with a purpose', () => {
    expect(m.stripe_api_access_type).toBe('oauth');
    expect(m.permissions.map((p) => p.permission)).toEqual(
      expect.arrayContaining([
        'dispute_read',
        'charge_read',
        'payment_intent_read',
        'customer_read',
        'payout_read',
        'balance_read',
        'report_runs_and_report_types_read',
        'file_read',
        'event_read',
      ]),
    );
    expect(m.post_install_action).toEqual({ type: 'settings' });
  });

  it('has the four views, each a component with a default export in src/views', () => {
    expect(m.ui_extension.views).toEqual([
      { viewport: 'stripe.dashboard.payment.detail', component: 'DisputePanel' },
      { viewport: 'stripe.dashboard.home.overview', component: 'Overview' },
      { viewport: 'stripe.dashboard.drawer.default', component: 'StatusDrawer' },
      { viewport: 'settings', component: 'Settings' },
    ]);
    for (const v of m.ui_extension.views) {
      const file = path.join(__dirname, '../src/views', `${v.component}.tsx`);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`export default ${v.component};`));
    }
  });

  it('points the CSP and the OAuth redirect at the backend named in the constants', () => {
    const base = m.constants.API_BASE;
    expect(m.ui_extension.content_security_policy['connect-src']).toEqual([`${base}/app/`]);
    expect(m.allowed_redirect_uris).toEqual([`${base}/oauth/callback`]);
  });

  it('has a real 300×300 PNG icon', () => {
    const png = readFileSync(path.join(ROOT, m.icon));
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([300, 300]);
  });
});
