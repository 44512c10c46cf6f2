// Reconciliation repairs a dispute whose closing event never arrived: the emulator withholds the
// deliveries, the dispute closes at Stripe, support (or the periodic pass) compares open disputes
// with Stripe's, the dispute closes here too and the merchant is notified once.
import { describe, expect, it } from 'vitest';
import { TenantClients } from '../src/connections/credentials/tenant-clients.ts';
import { reconcileTenantDisputes } from '../src/disputes/reconcile-disputes.ts';
import { createDestination } from '../src/notifications/destinations.ts';
import { adminCall } from './support/admin-client.ts';
import { FULL_KEY_PERMISSIONS, platformClient, restrictedKeyMerchant } from './support/emulator.ts';
import { useEmulatedStack } from './support/harness.ts';
import { waitFor } from './support/poll.ts';

const { emu, env } = useEmulatedStack({ STRIPE_RATE_LIMIT_TEST: '0' });
const platform = () => platformClient(emu);

const faults = (body: unknown) =>
  fetch(`${emu.emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(body) });

describe('reconciliation', () => {
  it('closes a dispute whose closing event was withheld, once, and notifies the merchant', async () => {
    const { account, key } = await restrictedKeyMerchant(emu, FULL_KEY_PERMISSIONS);
    const { tenantId } = (
      await adminCall<{ tenantId: string }>(env.stack.api.url, 'POST', 'connections/api-key', {
        body: { apiKey: key },
      })
    ).body;
    await createDestination(
      { prisma: env.stack.db.prisma, keyring: env.stack.keyring, allowPrivateAddresses: true },
      tenantId,
      'https://hooks.invalid/reconcile',
    );
    const pi = await platform().paymentIntents.create(
      { amount: 2500, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true },
      { stripeAccount: account },
    );
    const status = async () =>
      (
        await env.stack.db.pool.query<{ stripe_id: string; status: string }>(
          'SELECT stripe_id, status FROM disputes WHERE tenant_id = $1 AND payment_intent_id = $2',
          [tenantId, pi.id],
        )
      ).rows[0];
    const opened = await waitFor(async () =>
      (await status())?.status === 'OPEN' ? status() : null,
    );
    await faults({ withholdEventTypes: ['charge.dispute.closed', 'charge.dispute.updated'] });
    try {
      await platform().disputes.close(opened.stripe_id, {}, { stripeAccount: account });
      // Its deliveries are withheld: it is still open here.
      expect((await status())!.status).toBe('OPEN');
      const queued = await adminCall(
        env.stack.api.url,
        'POST',
        `tenants/${tenantId}/disputes/reconcile`,
      );
      expect(queued).toMatchObject({ status: 202, body: { tenantId, queued: true } });
      await waitFor(async () => ((await status())!.status === 'ACCEPTED' ? true : null), {
        what: 'the dispute repaired',
      });
      const notified = async () =>
        (
          await env.stack.db.pool.query<{ status: string }>(
            `SELECT payload->>'status' AS status FROM notifications
              WHERE tenant_id = $1 AND dispute_id = $2 ORDER BY id`,
            [tenantId, opened.stripe_id],
          )
        ).rows.map((r) => r.status);
      expect(await notified()).toEqual(['OPEN', 'ACCEPTED']);
      // Again (the periodic pass's use case, run here): nothing left to repair or notify.
      const again = await reconcileTenantDisputes(
        {
          pool: env.stack.db.pool,
          clients: new TenantClients({
            prisma: env.stack.db.prisma,
            keyring: env.stack.keyring,
            stripe: env.stack.config.stripe,
            logger: env.stack.logger,
          }),
          limiter: { take: () => Promise.resolve() },
          queues: env.stack.queues,
          logger: env.stack.logger,
        },
        tenantId,
        { staleAfterMs: 0 },
      );
      expect(again).toMatchObject({ checked: 0, repaired: [] }); // closed: nothing open to check
      expect(await notified()).toEqual(['OPEN', 'ACCEPTED']);
      const timeline = await env.stack.db.pool.query<{
        stripe_status: string;
        source_event_id: string;
      }>(
        'SELECT stripe_status, source_event_id FROM dispute_timeline WHERE tenant_id = $1 AND dispute_id = $2 ORDER BY occurred_at',
        [tenantId, opened.stripe_id],
      );
      expect(timeline.rows.find((r) => r.stripe_status === 'lost')).toEqual({
        stripe_status: 'lost',
        source_event_id: 'reconcile',
      });
    } finally {
      await faults({ withholdEventTypes: [] });
    }
    const unknown = await adminCall(
      env.stack.api.url,
      'POST',
      `tenants/${crypto.randomUUID()}/disputes/reconcile`,
    );
    expect(unknown.status).toBe(404);
  });
});
