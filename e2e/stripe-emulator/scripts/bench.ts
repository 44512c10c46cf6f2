// npm run bench:emulator [-- --charges 100000]
// Starts the emulator in its own process (rate limits off), seeds one account, then measures
// what backfills will ask of it: list pages of 100 through stripe-node's auto-pagination, one
// stream and four resources at once, plus the generator's own rate. Prints a summary table.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { DEFAULT_KEYS } from '../src/server.ts';

const { values } = parseArgs({
  options: {
    charges: { type: 'string', default: '100000' },
    port: { type: 'string', default: '12177' },
  },
});
const charges = Number(values.charges);
const port = Number(values.port);
const url = `http://127.0.0.1:${port}`;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'src/main.ts', '--port', String(port), '--no-rate-limit'],
  { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] },
);
const cleanup = () => child.kill('SIGTERM');
process.on('exit', cleanup);
let out = '';
child.stdout.on('data', (c: Buffer) => (out += c.toString()));
for (const deadline = Date.now() + 20_000; !out.includes('listening');) {
  if (Date.now() > deadline) throw new Error(`the emulator did not start:\n${out}`);
  await new Promise((r) => setTimeout(r, 50));
}

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${url}/_emulator/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};

console.log(`Seeding one account with ${charges.toLocaleString()} charges…`);
const account = (await post('accounts', {})) as { id: string };
const WINDOW = 20_000;
const end = Math.floor(Date.now() / 1000) - 3600;
const start = end - 730 * 86400;
let seeded = 0;
let seedMs = 0;
const windows = Math.ceil(charges / WINDOW);
for (let w = 0; w < windows; w++) {
  const s = (await post('seed', {
    account: account.id,
    charges: Math.min(WINDOW, charges - w * WINDOW),
    from: start + Math.floor(((end - start) * w) / windows),
    to: start + Math.floor(((end - start) * (w + 1)) / windows),
    end,
    seed: 11 + w,
  })) as { total: number; ms: number };
  seeded += s.total;
  seedMs += s.ms;
  console.log(
    `  ${Math.min(charges, (w + 1) * WINDOW).toLocaleString()} charges, ${seeded.toLocaleString()} objects`,
  );
}

const stripe = new Stripe(DEFAULT_KEYS.test, {
  host: '127.0.0.1',
  port,
  protocol: 'http',
  maxNetworkRetries: 0,
  stripeAccount: account.id,
});

async function drain(list: AsyncIterable<unknown>) {
  let n = 0;
  for await (const _ of list) n++;
  return n;
}

const results: Array<[string, number, number]> = [];
async function measure(name: string, work: () => Promise<number>) {
  const t0 = performance.now();
  const n = await work();
  const s = (performance.now() - t0) / 1000;
  results.push([name, n, n / s]);
  console.log(`  ${name}: ${n.toLocaleString()} objects in ${s.toFixed(2)} s`);
}

console.log('Listing…');
await measure('charges, one stream (stripe-node auto-pagination, limit 100)', () =>
  drain(stripe.charges.list({ limit: 100 })),
);
await measure(
  '4 resources at once (charges, payment intents, balance txns, customers)',
  async () => {
    const counts = await Promise.all([
      drain(stripe.charges.list({ limit: 100 })),
      drain(stripe.paymentIntents.list({ limit: 100 })),
      drain(stripe.balanceTransactions.list({ limit: 100 })),
      drain(stripe.customers.list({ limit: 100 })),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  },
);
await measure('disputes with a created filter (last year)', () =>
  drain(stripe.disputes.list({ limit: 100, created: { gte: end - 365 * 86400 } })),
);

const rss = Number(
  ((await (await fetch(`${url}/_emulator/info`)).json()) as { memory?: { rss: number } }).memory
    ?.rss ?? 0,
);
cleanup();
await once(child, 'exit');

console.log(
  '\nSummary (2-core machine; the list target is ≥ 20,000 objects/s, the generator ≥ 50,000):',
);
console.log(
  `  generator                      ${Math.round(seeded / (seedMs / 1000)).toLocaleString()} objects/s (${seeded.toLocaleString()} objects)`,
);
for (const [name, n, rate] of results) {
  console.log(
    `  ${name.padEnd(72)} ${Math.round(rate).toLocaleString().padStart(8)} objects/s (${n.toLocaleString()})`,
  );
}
if (rss)
  console.log(
    `  emulator memory (RSS) after seeding and listing: ${Math.round(rss / 1048576)} MiB`,
  );
