// Scenarios 1 and 2: a merchant installs DisputeDesk (the tenant is active, the history import
// runs to 100 % and the app API says so), or cancels on the authorize page (a friendly page, no
// tenant).
import { expect, test } from '@playwright/test';
import { appCall, control, installInBrowser, query, shoot, stack } from '../support/stack.ts';

test('a merchant installs from the install link; history imports to 100 %', async ({
  page,
}, testInfo) => {
  const { id: account } = await control<{ id: string }>('accounts', {});
  const seeded = await control<{ objects: Record<string, number> }>('seed', {
    account,
    charges: 300,
    disputeRate: 0.05,
    seed: 7,
  });
  const tenantId = await installInBrowser(page, testInfo, account);
  await expect(page.getByRole('heading', { name: 'DisputeDesk is connected' })).toBeVisible();
  await expect(page.getByText(account)).toBeVisible();

  await expect
    .poll(
      async () =>
        (await appCall<{ status: string; percent: number }>(account, 'GET', '/app/v1/backfill'))
          .body,
      {
        timeout: 60_000,
      },
    )
    .toMatchObject({ status: 'succeeded', percent: 100 });
  const status = await appCall<{
    backfill: { percent: number; objects: number };
    connection: { status: string };
  }>(account, 'GET', '/app/v1/status');
  expect(status.body.connection.status).toBe('active');
  expect(status.body.backfill.percent).toBe(100);
  // Every seeded charge and dispute is in the database, as the app's figures say.
  const [counts] = await query<{ charges: number; disputes: number }>(
    `SELECT (SELECT count(*)::int FROM charges WHERE tenant_id = $1) AS charges,
            (SELECT count(*)::int FROM disputes WHERE tenant_id = $1) AS disputes`,
    [tenantId],
  );
  expect(counts).toEqual({ charges: seeded.objects.charge, disputes: seeded.objects.dispute });
  const list = await appCall<{ data: unknown[] }>(account, 'GET', '/app/v1/disputes?limit=100');
  expect(list.body.data).toHaveLength(seeded.objects.dispute!);
});

test('cancelling on the authorize page shows a friendly page and connects nothing', async ({
  page,
}, testInfo) => {
  const [before] = await query<{ n: number }>('SELECT count(*)::int AS n FROM tenants');
  await page.goto(`${stack().api}/oauth/install?mode=test`);
  await expect(page.getByRole('heading', { name: 'Install DisputeDesk' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Install cancelled' })).toBeVisible();
  await expect(page.getByText('You can install it again at any time.')).toBeVisible();
  await testInfo.attach('cancelled page', {
    path: await shoot(page, testInfo, 'cancelled-page.png'),
    contentType: 'image/png',
  });
  const [after] = await query<{ n: number }>('SELECT count(*)::int AS n FROM tenants');
  expect(after!.n).toBe(before!.n);
});
