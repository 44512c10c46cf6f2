// npm run demo:dispute — shows the pipeline end to end against the running stack: connects a
// demo merchant, sends it a signed charge.dispute.created on the Connect endpoint, waits for the
// worker to normalize it, and prints the stored dispute. Reads the same .env as the servers.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { activateTenant } from '../src/connections/activate-tenant.ts';
import { createDb } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';
import { createQueues } from '../src/queues.ts';
import { createRedis } from '../src/redis.ts';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import { dispute, event } from '../test/support/fixtures.ts';

const config = loadConfig();
const logger = createLogger({ level: 'warn', name: 'demo' });
const db = createDb({ url: config.database.url, poolSize: 2 });
const redis = createRedis(config.redis.url, 'producer');
const queues = createQueues(redis, config.redis.prefix, config.events);
const apiUrl = process.env.API_URL ?? `http://${config.http.host}:${config.http.port}`;
const account = process.env.DEMO_ACCOUNT ?? 'acct_1DemoMerchant00';

try {
  const { tenant } = await activateTenant(
    { prisma: db.prisma, pool: db.pool, queue: queues.events, logger },
    {
      stripeAccountId: account,
      livemode: false,
      connectionType: 'oauth',
      displayName: 'Demo merchant',
    },
  );
  const d = dispute({
    reason: 'general',
    brand: 'visa',
    networkReasonCode: '11.3',
    amount: 4200,
    metadata: { order_id: `ORDER-${randomBytes(3).toString('hex').toUpperCase()}` },
  });
  const body = JSON.stringify(event('charge.dispute.created', d, { account }));
  const secret = config.webhooks.connectSecrets[0];
  if (!secret) throw new Error('STRIPE_CONNECT_WEBHOOK_SECRETS is empty');
  const res = await fetch(`${apiUrl}/webhooks/stripe/connect`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signatureHeader(secret, body),
    },
  });
  console.log(`POST ${apiUrl}/webhooks/stripe/connect → ${res.status} ${await res.text()}`);
  if (!res.ok) throw new Error('the API refused the event (see above)');
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
            tenant: account,
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
