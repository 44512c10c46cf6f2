// A real OAuth install and history import under exactly the permissions the app's manifest
// requests (../stripe-app.json): the emulator grants an app's access token those and nothing
// else, as Stripe does. The import finishes — early fraud warnings, which no app permission
// covers, skipped with Stripe's reason —, every charge and dispute arrives, and a call outside
// the manifest is refused with the permission it would need.
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { platformClient } from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({}, { worker: true });

const manifest = JSON.parse(
  readFileSync(new URL('../../stripe-app.json', import.meta.url), 'utf8'),
) as { permissions: Array<{ permission: string }> };

async function control<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${emu.emulator.url}/_emulator/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

/** The merchant installs the app on an existing account from the authorize page. */
async function install(account: string) {
  const start = await fetch(`${env.stack.api.url}/oauth/install?mode=test`, { redirect: 'manual' });
  const to = new URL(start.headers.get('location')!);
  const decided = await fetch(`${emu.emulator.url}/oauth/authorize/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: to.searchParams.get('client_id')!,
      redirect_uri: to.searchParams.get('redirect_uri')!,
      state: to.searchParams.get('state')!,
      decision: 'install',
      stripe_user_id: account,
    }).toString(),
  });
  const done = await fetch(decided.headers.get('location')!, { redirect: 'manual' });
  expect(done.status).toBe(200);
  const tenant = await env.stack.db.prisma.tenant.findUniqueOrThrow({
    where: { stripeAccountId_livemode: { stripeAccountId: account, livemode: false } },
  });
  return tenant.id;
}

describe('the app’s permissions, as Stripe grants them', () => {
  it('import under the manifest’s permissions; a call outside them is refused', async () => {
    const { id: account } = await control<{ id: string }>('accounts', {});
    await control('seed', { account, charges: 80, disputeRate: 0.1, refundRate: 0.1, seed: 7 });
    // One payment the issuer reports as fraud: an early fraud warning.
    await platformClient(emu).paymentIntents.create(
      {
        amount: 4200,
        currency: 'usd',
        payment_method: 'pm_card_createIssuerFraudRecord',
        confirm: true,
      },
      { stripeAccount: account },
    );
    const tenantId = await install(account);

    const run = await waitFor(
      async () => {
        const { rows } = await env.stack.db.pool.query<{ status: string; error: string | null }>(
          `SELECT status, error FROM backfill_runs WHERE tenant_id = $1 ORDER BY started_at DESC LIMIT 1`,
          [tenantId],
        );
        return rows[0] && rows[0].status !== 'running' ? rows[0] : null;
      },
      { timeoutMs: 60_000, what: 'the history import to finish' },
    );
    expect(run).toEqual({ status: 'succeeded', error: null });
    const { rows: skipped } = await env.stack.db.pool.query<{ resource: string; error: string }>(
      `SELECT DISTINCT resource, error FROM backfill_windows
        WHERE tenant_id = $1 AND status = 'not_permitted'`,
      [tenantId],
    );
    expect(skipped.map((s) => s.resource)).toEqual(['early_fraud_warning']);
    expect(skipped[0]!.error).toContain('No permission a Stripe App can request');

    // Every charge and dispute of the account arrived.
    const objects = emu.emulator.state.accounts.get(account)!.objects;
    const count = async (table: string) =>
      (
        await env.stack.db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`,
          [tenantId],
        )
      ).rows[0]!.n;
    expect(await count('charges')).toBe(objects.get('charge')!.size);
    expect(await count('disputes')).toBe(objects.get('dispute')!.size);
    expect(await count('disputes')).toBeGreaterThan(0);

    // The app's token may do what the manifest asks for, and nothing more.
    const row = await env.stack.db.prisma.credential.findFirstOrThrow({
      where: { tenantId, kind: 'oauth_access_token' },
    });
    const token = env.stack.keyring.open(row.ciphertext, `${tenantId}:oauth_access_token`);
    const asApp = new Stripe(token, {
      host: '127.0.0.1',
      port: emu.emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    expect((await asApp.disputes.list({ limit: 1 })).data.length).toBe(1);
    expect(manifest.permissions.map((p) => p.permission)).not.toContain('customer_write');
    const refused = await asApp.customers.create({ name: 'Not allowed' }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect((refused as Error).message).toContain("'customer_write' permission");
  }, 120_000);
});
