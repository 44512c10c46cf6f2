// Scenario 5: the merchant uninstalls the app → the tenant is disconnected and its app requests
// fail; after the retention (0 days in this stack) its data is purged.
import { expect, test } from '@playwright/test';
import { appCall, control, installInBrowser, query, stack } from '../support/stack.ts';

test('uninstalling disconnects the tenant, refuses its app requests, and purges it after the retention', async ({
  page,
}, testInfo) => {
  const { id: account } = await control<{ id: string }>('accounts', {});
  await control('seed', { account, charges: 100, disputeRate: 0.1, seed: 11 });
  const tenantId = await installInBrowser(page, testInfo, account);
  await expect
    .poll(
      async () =>
        (await appCall<{ status: string }>(account, 'GET', '/app/v1/backfill')).body.status,
      { timeout: 60_000 },
    )
    .toBe('succeeded');
  expect((await appCall(account, 'GET', '/app/v1/disputes')).status).toBe(200);

  // Uninstalling in the Dashboard: Stripe revokes the app and sends account.application.deauthorized.
  const res = await fetch(`${stack().emulator}/v1/oauth/deauthorize`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack().platformKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      client_id: 'ca_emulator_platform',
      stripe_user_id: account,
    }).toString(),
  });
  expect(res.status).toBe(200);
  await expect
    .poll(
      async () =>
        (await query<{ status: string }>('SELECT status FROM tenants WHERE id = $1', [tenantId]))[0]
          ?.status,
      {
        timeout: 15_000,
      },
    )
    .toMatch(/^(disconnected|purged)$/);
  const refused = await appCall<{ error: { code: string } }>(account, 'GET', '/app/v1/disputes');
  expect([403, 404]).toContain(refused.status);
  // The retention is 0 days here: the next maintenance pass (every second) purges the tenant.
  await expect
    .poll(
      async () =>
        (await query<{ status: string }>('SELECT status FROM tenants WHERE id = $1', [tenantId]))[0]
          ?.status,
      {
        timeout: 15_000,
      },
    )
    .toBe('purged');
  const [left] = await query<{
    disputes: number;
    charges: number;
    events: number;
    credentials: number;
  }>(
    `SELECT (SELECT count(*)::int FROM disputes WHERE tenant_id = $1) AS disputes,
            (SELECT count(*)::int FROM charges WHERE tenant_id = $1) AS charges,
            (SELECT count(*)::int FROM raw_events WHERE tenant_id = $1) AS events,
            (SELECT count(*)::int FROM credentials WHERE tenant_id = $1) AS credentials`,
    [tenantId],
  );
  expect(left).toEqual({ disputes: 0, charges: 0, events: 0, credentials: 0 });
  expect((await appCall(account, 'GET', '/app/v1/disputes')).status).toBe(404);
});
