// npm run emulator:seed -- --accounts 3 --charges 20000 --dispute-rate 0.01
// Fills a running emulator (EMULATOR_URL, default http://127.0.0.1:12111) with two-year
// histories for new connected accounts (or --account acct_… to fill one you have), in windows of
// 10,000 charges so progress shows, then prints what was made and how fast.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1' },
    account: { type: 'string' },
    charges: { type: 'string', default: '1000' },
    'dispute-rate': { type: 'string', default: '0.01' },
    'refund-rate': { type: 'string', default: '0.05' },
    // Share of customers who subscribe; default: half the merchants sell subscriptions.
    'subscription-share': { type: 'string' },
    seed: { type: 'string' },
    years: { type: 'string', default: '2' },
    url: { type: 'string', default: process.env.EMULATOR_URL ?? 'http://127.0.0.1:12111' },
  },
});

const number = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a non-negative number (got ${v})`);
    process.exit(2);
  }
  return n;
};
const accountsWanted = number('accounts', values.accounts);
const charges = Math.floor(number('charges', values.charges));
const disputeRate = number('dispute-rate', values['dispute-rate']);
const refundRate = number('refund-rate', values['refund-rate']);
const years = number('years', values.years);
const subscriptionShare =
  values['subscription-share'] === undefined
    ? undefined
    : number('subscription-share', values['subscription-share']);
const seed = values.seed === undefined ? Date.now() : Math.floor(number('seed', values.seed));
const url = values.url.replace(/\/$/, '');

async function call<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${url}/_emulator/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    console.error(`No emulator at ${url}: start it with \`npm run emulator\` first.`);
    process.exit(1);
  }
  const json = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) {
    console.error(`The emulator refused: ${json.error?.message ?? res.status}`);
    process.exit(1);
  }
  return json;
}

interface Summary {
  total: number;
  ms: number;
  objects: Record<string, number>;
}

const end = Math.floor(Date.now() / 1000) - 3600;
const start = end - Math.round(years * 365 * 86400);
const WINDOW = 10_000;
const targets: Array<{ id: string; keys?: { test: string; live: string } }> = [];
if (values.account) targets.push({ id: values.account });
else {
  for (let i = 0; i < accountsWanted; i++) {
    targets.push(await call<{ id: string; keys: { test: string; live: string } }>('accounts', {}));
  }
}

const began = performance.now();
const totals: Record<string, number> = {};
let made = 0;
let serverMs = 0;
for (const [i, target] of targets.entries()) {
  const windows = Math.max(1, Math.ceil(charges / WINDOW));
  for (let w = 0; w < windows; w++) {
    const from = start + Math.floor(((end - start) * w) / windows);
    const to = start + Math.floor(((end - start) * (w + 1)) / windows);
    const n = Math.min(WINDOW, charges - w * WINDOW);
    const s = await call<Summary>('seed', {
      account: target.id,
      charges: n,
      disputeRate,
      refundRate,
      ...(subscriptionShare === undefined ? {} : { subscriptionShare }),
      from,
      to,
      end,
      seed: seed + i * 100_003 + w,
    });
    made += s.total;
    serverMs += s.ms;
    for (const [k, v] of Object.entries(s.objects)) totals[k] = (totals[k] ?? 0) + v;
    const done = Math.min(charges, (w + 1) * WINDOW);
    process.stdout.write(
      `${process.stdout.isTTY ? '\r' : ''}  account ${i + 1}/${targets.length} ${target.id}: ${done.toLocaleString()}/${charges.toLocaleString()} charges, ${made.toLocaleString()} objects so far${process.stdout.isTTY ? '' : '\n'}`,
    );
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
}
const seconds = (performance.now() - began) / 1000;
console.log(
  `\nSeeded ${targets.length} account(s) in ${seconds.toFixed(1)} s: ${made.toLocaleString()} objects`,
);
for (const [k, v] of Object.entries(totals).sort())
  console.log(`  ${k.padEnd(22)} ${v.toLocaleString()}`);
console.log(
  `  rate: ${Math.round(made / (serverMs / 1000)).toLocaleString()} objects/s generated, ${Math.round(made / seconds).toLocaleString()} objects/s end to end`,
);
for (const t of targets) {
  if (t.keys)
    console.log(
      `  ${t.id}  test key ${t.keys.test}  (or the platform key with Stripe-Account: ${t.id})`,
    );
}
