// What a Stripe App's OAuth access token may do: the permissions its manifest requests
// (stripe-app.json), as the resources and access the emulator checks (permissions.ts). Stripe
// grants an app exactly what the merchant accepted at install — the manifest's list — so a call
// outside it fails with 403, naming the permission the app would need (or saying no app
// permission covers it, as for early fraud warnings).
import { existsSync, readFileSync } from 'node:fs';
import type { Access, Permissions } from './access.ts';

/** App permission (manifest) → the emulator's permission resources it covers. */
const COVERS: Record<string, string[]> = {
  charge: ['charge', 'refund'],
  dispute: ['dispute'],
  payment_intent: ['payment_intent'],
  setup_intent: ['setup_intent'],
  payment_method: ['payment_method'],
  customer: ['customer'],
  payout: ['payout'],
  invoice: ['invoice'],
  file: ['file'],
  event: ['event'],
  webhook: ['webhook'],
  connected_account: ['connected_account'],
  source: ['source'],
  product: ['product'],
  plan: ['plan'],
  subscription: ['subscription'],
  quote: ['quote'],
  checkout_session: ['checkout_session'],
  credit_note: ['credit_note'],
  coupon: ['coupon'],
  tax_rate: ['tax_rate'],
  payment_links: ['payment_links'],
  customer_portal: ['customer_portal'],
  billing_clock: ['billing_clock'],
  // Listing balance transactions needs the balance permission; expanding their source, more.
  balance: ['balance', 'balance_transaction_source'],
  balance_transaction_source: ['balance', 'balance_transaction_source'],
};

/** The one report permission apps can request lets them create report runs and read both. */
const SPECIAL: Record<string, Permissions> = {
  report_runs_and_report_types_read: { report_run: 'write', report_type: 'read' },
};

export function appGrant(appPermissions: readonly string[]): Permissions {
  const grant: Permissions = {};
  const give = (resource: string, access: Access) => {
    if (grant[resource] !== 'write') grant[resource] = access;
  };
  for (const p of appPermissions) {
    for (const [resource, access] of Object.entries(SPECIAL[p] ?? {})) give(resource, access);
    const m = /^(.+)_(read|write)$/.exec(p);
    if (!m) continue;
    for (const resource of COVERS[m[1]!] ?? []) give(resource, m[2] as Access);
  }
  return grant;
}

/** The app permission that would allow `access` to `resource`, or null when no app permission does. */
export function appPermissionFor(resource: string, access: Access): string | null {
  if (resource === 'report_run' || resource === 'report_type')
    return 'report_runs_and_report_types_read';
  const app = Object.entries(COVERS).find(([, covered]) => covered.includes(resource))?.[0];
  return app ? `${app}_${access}` : null;
}

/** The permissions requested by the app manifest at `file` (null when there is none). */
export function manifestPermissions(file: string): string[] | null {
  if (!existsSync(file)) return null;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
    permissions?: Array<{ permission: string }>;
  };
  return (manifest.permissions ?? []).map((p) => p.permission);
}
