// npm run demo:dispute — the pipeline end to end against the running stack (`npm start`): makes a
// merchant account on the Stripe emulator and connects it as a tenant, then pays on that account
// with pm_card_createDispute. The emulator opens the dispute and delivers the signed
// charge.dispute.created to the API's Connect endpoint; the worker normalizes it; this prints the
// stored dispute. Reads the same .env as the servers; EMULATOR_URL (default
// http://127.0.0.1:12111) says where the emulator is.
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { loadConfig } from '../src/config.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { createDb } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';
import { createQueues } from '../src/queues.ts';
import { createRedis } from '../src/redis.ts';

const config = loadConfig();
const logger = createLogger({ level: 'warn', name: 'demo' });
const db = createDb({ url: config.database.url, poolSize: 2 });
const redis = createRedis(config.redis.url, 'producer');
const queues = createQueues(redis, config.redis.prefix, config.events);
const emulator = new URL(process.env.EMULATOR_URL ?? 'http://127.0.0.1:12111');
const stripe = new Stripe('sk_test_emulator_platform_key', {
  host: emulator.hostname,
  port: Number(emulator.port),
  protocol: 'http',
});

try {
  const account = await stripe.accounts.create({ type: 'standard' }).catch((err: unknown) => {
    throw new Error(
      `the Stripe emulator at ${emulator.origin} did not answer (${String(err)}): is \`npm start\` running?`,
    );
  });
  const { tenant } = await activateTenant(
    { prisma: db.prisma, pool: db.pool, queue: queues.events, logger },
    {
      stripeAccountId: account.id,
      livemode: false,
      connectionType: 'oauth',
      displayName: 'Demo merchant',
    },
  );
  console.log(`Connected ${account.id} as tenant ${tenant.id}`);
  const orderId = `ORDER-${randomBytes(3).toString('hex').toUpperCase()}`;
  const pi = await stripe.paymentIntents.create(
    {
      amount: 4200,
      currency: 'usd',
      payment_method: 'pm_card_createDispute',
      confirm: true,
      metadata: { order_id: orderId },
    },
    { stripeAccount: account.id },
  );
  const [opened] = (
    await stripe.disputes.list({ payment_intent: pi.id }, { stripeAccount: account.id })
  ).data;
  if (!opened) throw new Error('the emulator opened no dispute');
  console.log(`Paid ${pi.id} with pm_card_createDispute; the issuer opened ${opened.id}`);
  const d = { id: opened.id };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const row = await db.prisma.dispute.findUnique({
      where: { tenantId_stripeId: { tenantId: tenant.id, stripeId: d.id } },
    });
    if (row) {
      console.log('Stored and normalized:');
      console.log(
        JSON.stringify(
          {
            tenant: tenant.stripeAccountId,
            dispute: row.stripeId,
            type: row.type,
            status: row.status,
            reason: row.reason,
            reasonCode: row.networkReasonCode,
            processorReason: row.stripeReason,
            amount: Number(row.amount),
            currency: row.currency,
            challengeRequiredBy: row.challengeRequiredBy,
            transactionId: row.transactionId,
            orderId: row.orderId,
          },
          null,
          2,
        ),
      );
      break;
    }
    if (Date.now() > deadline)
      throw new Error('the dispute was not processed within 15 s: is the worker running?');
    await new Promise((r) => setTimeout(r, 200));
  }
} finally {
  await queues.close();
  redis.disconnect();
  await db.close();
}
