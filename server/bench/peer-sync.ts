// The peer for bench:backfill, in its own process: @supabase/stripe-sync-engine backfilling the
// same emulator account into its own schema of the same database, the resources both products
// load, one after another as its syncBackfill does. Prints one JSON line per resource.
import { createRequire } from 'node:module';
import Stripe from 'stripe';
import type * as SyncEngine from '@supabase/stripe-sync-engine';

// Its ES module build resolves its migrations with __dirname, which ES modules lack (the error is
// swallowed and no table is made); the CommonJS build works.
const require = createRequire(import.meta.url);
const { runMigrations, StripeSync } = require('@supabase/stripe-sync-engine') as typeof SyncEngine;

const databaseUrl = process.env.PEER_DATABASE_URL!;
const emulator = new URL(process.env.PEER_STRIPE_URL!);
const account = process.env.PEER_ACCOUNT!;
const objects = [
  'customer',
  'charge',
  'payment_intent',
  'refund',
  'dispute',
  'early_fraud_warning',
  'subscription',
  'invoice',
  'product',
  'price',
] as const;

await runMigrations({ schema: 'stripe', databaseUrl });
const sync = new StripeSync({
  databaseUrl,
  schema: 'stripe',
  stripeSecretKey: 'sk_test_emulator_platform_key',
  stripeWebhookSecret: 'whsec_unused_in_this_benchmark',
  backfillRelatedEntities: false,
  maxPostgresConnections: 10,
  poolConfig: { connectionString: databaseUrl, max: 10 },
});
// Its public Stripe client, pointed at the emulator and the account (as the environment notes say).
sync.stripe = new Stripe('sk_test_emulator_platform_key', {
  host: emulator.hostname,
  port: Number(emulator.port),
  protocol: 'http',
  stripeAccount: account,
  maxNetworkRetries: 2,
});
for (const object of objects) {
  const t0 = performance.now();
  const result = await sync.syncBackfill({ object, backfillRelatedEntities: false });
  const synced = Object.values(result as Record<string, SyncEngine.Sync | undefined>).reduce(
    (a, r) => a + (r?.synced ?? 0),
    0,
  );
  console.log(JSON.stringify({ object, synced, seconds: (performance.now() - t0) / 1000 }));
}
await sync.close();
