// The app manifests: the production one (../stripe-app.json) and the local one that extends it
// (../stripe-app.dev.json, used by `npm start` and `stripe apps start --manifest`), against Stripe's
// manifest rules (manifest-rules.ts: what Stripe accepts, they accept; what it refuses, they
// refuse), and against what this app is: exactly the permissions the backend calls Stripe with,
// every view's component present, production URLs on HTTPS, the icon a real 300×300 PNG.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { StripeManifest, resolveManifest } from './manifest-rules';

const ROOT = path.resolve(__dirname, '../..');
const raw = resolveManifest(path.join(ROOT, 'stripe-app.json'));
const m = StripeManifest.parse(raw);
const local = StripeManifest.parse(resolveManifest(path.join(ROOT, 'stripe-app.dev.json')));

/**
 * Each permission and what in the backend needs it (server/src): the manifest asks for exactly
 * these. Early fraud warnings have no permission in Stripe's published list: an OAuth install
 * cannot be granted them (docs/SECURITY.md, stripe-app/README.md).
 */
const USED_BY: Record<string, string> = {
  dispute_read: 'webhooks, history import (backfill/list-resources.ts), reconciliation',
  dispute_write: 'evidence save / submit / accept (disputes/evidence/stripe-evidence.ts)',
  charge_read: 'charges and refunds import, evidence sources',
  charge_write: 'prevention refunds (prevention/apply-prevention.ts)',
  payment_intent_read: 'PaymentIntents import, order references',
  customer_read: 'customers import, evidence customer name and email',
  invoice_read: 'invoices import, the invoice of a disputed payment (disputes/payment-billing.ts)',
  subscription_read: 'subscriptions import and webhooks, the dispute panel, cancellation rebuttal',
  checkout_session_read: 'Checkout Sessions import and webhooks (disputes/payment-billing.ts)',
  product_read: 'products import: the product a subscription is for',
  plan_read: 'prices import: a subscription’s amount and interval',
  payout_read: 'payouts import',
  balance_read: 'balance transactions import, the money ledger',
  report_runs_and_report_types_read: 'report runs (reports/plan-report-runs.ts)',
  file_read: 'report files, evidence files',
  file_write: 'evidence uploads and generated documents (disputes/evidence/attach-file.ts)',
  event_read: 'catch-up after an outage (backfill/catch-up-events.ts)',
};

describe('stripe-app.json', () => {
  it('follows Stripe’s manifest rules, as does the local manifest that extends it', () => {
    expect(StripeManifest.safeParse(raw).success).toBe(true);
    expect(local.id).toBe(m.id);
  });

  it('accepts what Stripe accepts and refuses what it refuses', () => {
    const ok = (patch: Record<string, unknown>) =>
      StripeManifest.safeParse({ ...(raw as object), ...patch }).success;
    const ui = m.ui_extension;
    // Valid in Stripe's rules.
    expect(ok({ sandbox_install_compatible: false })).toBe(true);
    expect(ok({ post_install_action: { type: 'onboarding' } })).toBe(true);
    expect(ok({ post_install_action: { type: 'settings' } })).toBe(true);
    expect(ok({ post_install_action: { type: 'external', url: 'https://example.com/x' } })).toBe(
      true,
    );
    expect(ok({ post_install_action: null })).toBe(true);
    expect(ok({ icon: '' })).toBe(true);
    expect(ok({ constants: null, allowed_redirect_uris: null })).toBe(true);
    expect(
      ok({
        ui_extension: {
          ...ui,
          content_security_policy: {
            ...ui.content_security_policy,
            'image-src': ['https://images.example.com/'],
          },
        },
      }),
    ).toBe(true);
    expect(
      ok({
        app_backend: {
          webhooks: [
            {
              url: 'https://example.com/hook',
              enabled_events: ['customer.created'],
              api_version: '1.0.0',
            },
          ],
        },
      }),
    ).toBe(true);
    // Refused by Stripe's rules.
    expect(ok({ id: 'has spaces' })).toBe(false);
    expect(ok({ version: '' })).toBe(false);
    expect(ok({ icon: 'icon.jpg' })).toBe(false);
    expect(ok({ icon: './../x/../icon.png' })).toBe(false);
    expect(ok({ permissions: [{ permission: 'dispute_read' }] })).toBe(false);
    expect(ok({ permissions: [{ permission: 'radar_read', purpose: 'x' }] })).toBe(false);
    expect(ok({ permissions: [{ permission: 'dispute_read', purpose: 'x', extra: 1 }] })).toBe(
      false,
    );
    expect(ok({ unknown_key: true })).toBe(false);
    expect(ok({ post_install_action: { type: 'external' } })).toBe(false);
    expect(ok({ post_install_action: { type: 'settings', url: 'https://x.example/y' } })).toBe(
      false,
    );
    expect(ok({ allowed_redirect_uris: ['https://example.com'] })).toBe(false); // needs a path
    expect(ok({ stripe_api_access_type: 'password' })).toBe(false);
    expect(
      ok({
        ui_extension: { ...ui, views: [{ viewport: 'stripe.dashboard.nowhere', component: 'X' }] },
      }),
    ).toBe(false);
    expect(
      ok({ ui_extension: { ...ui, views: [{ viewport: 'settings', component: 'A-B' }] } }),
    ).toBe(false);
    expect(
      ok({
        ui_extension: {
          ...ui,
          content_security_policy: { 'connect-src': ['https://api.example.com'], purpose: 'x' },
        },
      }),
    ).toBe(false);
    expect(ok({ ui_extension: { ...ui, content_security_policy: { 'connect-src': null } } })).toBe(
      false,
    ); // purpose is required
  });

  it('asks, with OAuth, for exactly the permissions the backend uses, each with a purpose', () => {
    expect(m.stripe_api_access_type).toBe('oauth');
    expect(m.permissions.map((p) => p.permission).sort()).toEqual(Object.keys(USED_BY).sort());
    for (const p of m.permissions) expect(p.purpose.length).toBeGreaterThan(20);
  });

  it('starts onboarding after install and supports sandboxes', () => {
    expect(m.post_install_action).toEqual({ type: 'onboarding' });
    expect(m.sandbox_install_compatible).toBe(true);
  });

  it('has its views, each a component with a default export in src/views', () => {
    expect(m.ui_extension.views).toEqual([
      { viewport: 'stripe.dashboard.payment.detail', component: 'DisputePanel' },
      { viewport: 'stripe.dashboard.payment.list', component: 'DisputeQueue' },
      { viewport: 'stripe.dashboard.home.overview', component: 'Overview' },
      { viewport: 'stripe.dashboard.drawer.default', component: 'StatusDrawer' },
      { viewport: 'settings', component: 'Settings' },
      { viewport: 'onboarding', component: 'Onboarding' },
    ]);
    for (const v of m.ui_extension.views ?? []) {
      const file = path.join(__dirname, '../src/views', `${v.component}.tsx`);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`export default ${v.component};`));
    }
  });

  it('points production at the HTTPS backend and the local manifest at this computer', () => {
    for (const [manifest, base] of [
      [m, 'https://api.disputedesk.app'],
      [local, 'http://127.0.0.1:3000'],
    ] as const) {
      expect(manifest.constants).toEqual({ API_BASE: base });
      expect(manifest.ui_extension.content_security_policy?.['connect-src']).toEqual([
        `${base}/app/`,
      ]);
      expect(manifest.allowed_redirect_uris).toEqual([`${base}/oauth/callback`]);
    }
    // Everything else is the production manifest's.
    expect(local.permissions).toEqual(m.permissions);
    expect(local.ui_extension.views).toEqual(m.ui_extension.views);
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
