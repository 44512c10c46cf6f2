// Scenario 6: a support agent gets a token from the command line, finds the merchant, replays one
// of its events (no duplicate effect), rotates a notification secret, and reads the audit log.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  adminCall,
  appCall,
  control,
  installInBrowser,
  notificationReceiver,
  query,
  stack,
  stripe,
} from '../support/stack.ts';

const SERVER = path.resolve(import.meta.dirname, '../../../server');

test('support replays an event with no duplicate effect, rotates a secret, and sees it all audited', async ({
  page,
}, testInfo) => {
  const { id: account } = await control<{ id: string }>('accounts', {});
  const tenantId = await installInBrowser(page, testInfo, account);
  const receiver = await notificationReceiver();
  try {
    const dest = await appCall<{ id: string; signingSecret: string }>(
      account,
      'POST',
      '/app/v1/notification-destinations',
      {
        url: receiver.url,
      },
    );
    const pi = await stripe().paymentIntents.create(
      { amount: 1800, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true },
      { stripeAccount: account },
    );
    const [d] = (
      await stripe().disputes.list({ payment_intent: pi.id }, { stripeAccount: account })
    ).data;
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);

    // A token, the way support gets one.
    const made = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/admin.ts',
        'token',
        'create',
        '--role',
        'admin',
        '--name',
        'Support (e2e)',
      ],
      { cwd: SERVER, env: { ...process.env, DATABASE_URL: stack().databaseUrl }, encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    const token = /ddadm_[A-Za-z0-9_-]{43}/.exec(made.stdout)![0];

    const found = await adminCall<{
      data: Array<{ id: string; accountId: string; status: string }>;
    }>(token, 'GET', `tenants?q=${account}`);
    expect(found.body.data).toEqual([
      expect.objectContaining({ id: tenantId, accountId: account, status: 'active' }),
    ]);

    const snapshot = async () => ({
      dispute: (await appCall(account, 'GET', `/app/v1/disputes/${d!.id}`)).body,
      rows: await query(
        `SELECT (SELECT count(*)::int FROM dispute_timeline WHERE tenant_id = $1) AS timeline,
                (SELECT count(*)::int FROM notifications WHERE tenant_id = $1) AS notifications,
                (SELECT count(*)::int FROM disputes WHERE tenant_id = $1) AS disputes`,
        [tenantId],
      ),
    });
    const before = await snapshot();
    const events = await adminCall<{ data: Array<{ id: string; type: string; status: string }> }>(
      token,
      'GET',
      `events?tenant_id=${tenantId}&type=charge.dispute.created`,
    );
    const eventId = events.body.data[0]!.id;
    const replay = await adminCall(token, 'POST', `events/${eventId}/replay`);
    expect(replay.status).toBe(200);
    await expect
      .poll(
        async () =>
          (await adminCall<{ status: string }>(token, 'GET', `events/${eventId}`)).body.status,
        { timeout: 15_000 },
      )
      .toBe('processed');
    expect(await snapshot()).toEqual(before);
    expect(receiver.received).toHaveLength(1);

    const rotated = await adminCall<{ signingSecret: string }>(
      token,
      'POST',
      `tenants/${tenantId}/notification-destinations/${dest.body.id}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    const test = await appCall<{ delivered: boolean }>(
      account,
      'POST',
      `/app/v1/notification-destinations/${dest.body.id}/test`,
    );
    expect(test.body.delivered).toBe(true);
    const last = receiver.received.at(-1)!;
    expect(last.verified(rotated.body.signingSecret)).toBe(true);
    expect(last.verified(dest.body.signingSecret)).toBe(true); // the old one still signs for 24 h

    const audit = await adminCall<{
      data: Array<{ action: string; actor: string; status: number }>;
    }>(token, 'GET', 'audit?actor=Support%20(e2e)');
    expect(audit.body.data.map((a) => a.action)).toEqual([
      'POST /admin/v1/tenants/:tenantId/notification-destinations/:destinationId/rotate-secret',
      'POST /admin/v1/events/:eventId/replay',
    ]);
    expect(audit.body.data.every((a) => a.status === 200)).toBe(true);
  } finally {
    await receiver.close();
  }
});
