// A report file server for bench:reports, in its own process: serves a generated
// payout_reconciliation.itemized.5 CSV of BENCH_ROWS rows (Stripe's default columns), written to a
// temporary file first and never held in memory. Prints its URL on stdout once the file is ready.
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const COLUMNS = [
  'automatic_payout_id',
  'automatic_payout_effective_at_utc',
  'balance_transaction_id',
  'created_utc',
  'available_on_utc',
  'currency',
  'gross',
  'fee',
  'net',
  'reporting_category',
  'source_id',
  'description',
  'customer_facing_amount',
  'customer_facing_currency',
  'customer_id',
  'charge_id',
  'payment_intent_id',
  'charge_created_utc',
  'card_brand',
  'card_funding',
  'card_country',
  'dispute_reason',
];
const BRANDS = ['visa', 'mastercard', 'amex', 'discover'];

function row(i: number): string {
  const t = new Date(Date.UTC(2025, 0, 1) + i * 30_000)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ');
  const gross = 500 + ((i * 7919) % 30000);
  const fee = Math.round(gross * 0.029) + 30;
  const refund = i % 20 === 0;
  const amount = (n: number) => (n / 100).toFixed(2);
  return [
    `po_${Math.floor(i / 500)
      .toString(36)
      .padStart(10, '0')}`,
    t,
    `txn_${i.toString(36).padStart(12, '0')}`,
    t,
    t,
    'usd',
    amount(refund ? -gross : gross),
    amount(refund ? 0 : fee),
    amount(refund ? -gross : gross - fee),
    refund ? 'refund' : 'charge',
    `${refund ? 're' : 'ch'}_${i.toString(36).padStart(12, '0')}`,
    refund ? 'REFUND FOR CHARGE' : `Order ORD-${i}`,
    amount(gross),
    'usd',
    `cus_${(i % 50_000).toString(36)}`,
    `ch_${i.toString(36).padStart(12, '0')}`,
    `pi_${i.toString(36).padStart(12, '0')}`,
    t,
    BRANDS[i % 4],
    'credit',
    'US',
    '',
  ].join(',');
}

// The file is written to disk before the URL is printed and then served as bytes: in production
// Stripe's file server makes the file, so its generation must not take this host's CPU while the
// ingest is measured (it took about a core for 3 s of a 10 s run when it was generated live).
const file = path.join(os.tmpdir(), `dd-bench-report-${process.pid}.csv`);
const out = fs.createWriteStream(file);
for (let i = 0; i < rows;) {
  let chunk = i === 0 ? `${COLUMNS.join(',')}\n` : '';
  for (let k = 0; k < 1000 && i < rows; k++, i++) chunk += `${row(i)}\n`;
  if (!out.write(chunk)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
const remove = () => fs.rmSync(file, { force: true });
process.on('exit', remove);

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/csv', 'content-length': fs.statSync(file).size });
  fs.createReadStream(file, { highWaterMark: 1 << 16 }).pipe(res);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/file.csv`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
