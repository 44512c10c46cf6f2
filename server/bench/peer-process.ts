// The peer for bench:processing, in its own process: @supabase/stripe-sync-engine applying the
// same events with its processEvent (the call its webhook handler makes after verifying), into its
// own schema of the same database, PEER_CONCURRENCY at a time (its pool's size), after the events
// of PEER_WARMUP_FILE (if any), untimed, as our workers are warmed up. Prints one JSON line:
// events, seconds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import type * as SyncEngine from '@supabase/stripe-sync-engine';

// Its ES module build resolves its migrations with __dirname, which ES modules lack; the CommonJS
// build works (as in peer-sync.ts).
const require = createRequire(import.meta.url);
const { runMigrations, StripeSync } = require('@supabase/stripe-sync-engine') as typeof SyncEngine;

const databaseUrl = process.env.PEER_DATABASE_URL!;
const concurrency = Number(process.env.PEER_CONCURRENCY ?? 10);
const read = (file: string | undefined) =>
  file
    ? (JSON.parse(readFileSync(file, 'utf8')) as string[]).map(
        (body) => JSON.parse(body) as Stripe.Event,
      )
    : [];
const events = read(process.env.PEER_EVENTS_FILE);
const warmup = read(process.env.PEER_WARMUP_FILE);

await runMigrations({ schema: 'stripe', databaseUrl });
const sync = new StripeSync({
  databaseUrl,
  schema: 'stripe',
  stripeSecretKey: 'sk_test_unused_in_this_benchmark',
  stripeWebhookSecret: 'whsec_unused_in_this_benchmark',
  backfillRelatedEntities: false,
  maxPostgresConnections: concurrency,
  poolConfig: { connectionString: databaseUrl, max: concurrency },
});
async function processAll(list: Stripe.Event[]) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) await sync.processEvent(list[next++]!);
    }),
  );
}
await processAll(warmup);
const t0 = performance.now();
await processAll(events);
console.log(JSON.stringify({ events: events.length, seconds: (performance.now() - t0) / 1000 }));
await sync.close();
