// Prometheus metrics over real HTTP: the API's /metrics and a worker's (WORKER_METRICS_PORT) are
// refused without an admin token and, with one, show what happened — webhooks accepted and
// refused by reason, queue depth, events processed with their latency, a history import's
// objects and progress, and the waits for our own Stripe rate limit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../src/webhooks/verify-signature.ts';
import {
  ADMIN_TOKEN,
  platformClient,
  restrictedKeyMerchant,
  FULL_KEY_PERMISSIONS,
} from './support/emulator.ts';
import { charge, event } from './support/fixtures.ts';
import { CONNECT_SECRETS, useEmulatedStack } from './support/harness.ts';
import { post } from './support/http.ts';
import { waitFor } from './support/poll.ts';

// A low limit of our own, so the import's list calls wait for their slots.
const { emu, env } = useEmulatedStack({ WORKER_METRICS_PORT: '0', STRIPE_RATE_LIMIT_TEST: '8' });

async function scrape(base: string, token: string | null = ADMIN_TOKEN) {
  const res = await fetch(`${base}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one series (name and labels as Prometheus prints them), or null if absent. */
function value(text: string, series: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return null;
}

const workerUrl = () => env.stack.worker!.metricsUrl!;

describe('GET /metrics', () => {
  it('is refused without an admin token, on the API and on a worker', async () => {
    for (const base of [env.stack.api.url, workerUrl()]) {
      const none = await scrape(base, null);
      expect(none.status).toBe(401);
      expect((JSON.parse(none.text) as { error: { code: string } }).error.code).toBe(
        'unauthorized',
      );
      expect((await scrape(base, 'not-a-token')).status).toBe(401);
    }
  });

  it('counts webhooks accepted and refused, and shows the queues', async () => {
    const before = (await scrape(env.stack.api.url)).text;
    const base = (series: string) => value(before, series) ?? 0;
    const url = `${env.stack.api.url}/webhooks/stripe/connect`;
    const evt = event('charge.succeeded', charge(), { account: `acct_unknown${Date.now()}` });
    const body = JSON.stringify(evt);
    const signed = { 'stripe-signature': signatureHeader(CONNECT_SECRETS[0]!, body) };
    expect((await post(url, body, signed)).status).toBe(200); // an unconnected account: stored
    expect((await post(url, body, signed)).status).toBe(200); // …and again: a duplicate
    expect((await post(url, body, { 'stripe-signature': 't=1,v1=00' })).status).toBe(400);

    const after = await scrape(env.stack.api.url);
    expect(after.status).toBe(200);
    expect(after.type).toContain('text/plain');
    const got = (series: string) => value(after.text, series) ?? 0;
    const accepted = 'dd_webhook_accepted_total{endpoint="connect",outcome="%s",process="api"}';
    const duplicate = accepted.replace('%s', 'duplicate');
    expect(got(duplicate) - base(duplicate)).toBe(1);
    const stored = ['received', 'ignored'].map((o) => accepted.replace('%s', o));
    expect(stored.reduce((n, s) => n + got(s) - base(s), 0)).toBe(1);
    const rejected = after.text
      .split('\n')
      .filter((l) => l.startsWith('dd_webhook_rejected_total{endpoint="connect"'));
    expect(rejected.length).toBeGreaterThan(0);
    expect(
      value(after.text, 'dd_queue_jobs{queue="events",state="waiting",process="api"}'),
    ).not.toBeNull();
    expect(
      value(after.text, 'dd_queue_oldest_waiting_seconds{queue="events",process="api"}'),
    ).toBeGreaterThanOrEqual(0);
    expect(value(after.text, 'dd_process_resident_memory_bytes{process="api"}')).toBeGreaterThan(0);
  });

  it("shows a worker's processing, a history import and the rate-limit waits", async () => {
    const { account, key } = await restrictedKeyMerchant(emu, FULL_KEY_PERMISSIONS);
    const platform = platformClient(emu);
    for (let i = 0; i < 3; i++) {
      await platform.paymentIntents.create(
        { amount: 1000 + i, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
        { stripeAccount: account },
      );
    }
    const connected = await fetch(`${env.stack.api.url}/admin/v1/connections/api-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: key }),
    });
    expect(connected.status).toBe(201);
    // The import is under way or done; the API's gauges read it from Postgres.
    const api = (await scrape(env.stack.api.url)).text;
    expect(value(api, 'dd_backfill_runs_running{process="api"}')).toBeGreaterThanOrEqual(0);
    expect(value(api, 'dd_backfill_windows{process="api"}')).toBeGreaterThanOrEqual(0);

    const worker = await waitFor(
      async () => {
        const { text } = await scrape(workerUrl());
        const charges = value(
          text,
          'dd_backfill_objects_total{resource="charge",process="worker"}',
        );
        return charges !== null && charges >= 3 ? text : null;
      },
      { what: "the import's charges counted by the worker", timeoutMs: 60_000 },
    );
    expect(
      value(worker, 'dd_events_processed_total{outcome="processed",process="worker"}'),
    ).toBeGreaterThan(0);
    expect(
      value(worker, 'dd_event_processing_latency_seconds_count{process="worker"}'),
    ).toBeGreaterThan(0);
    expect(value(worker, 'dd_stripe_rate_limit_waits_total{process="worker"}')).toBeGreaterThan(0);
    expect(
      value(worker, 'dd_stripe_rate_limit_wait_seconds_total{process="worker"}'),
    ).toBeGreaterThan(0);
    // The worker does not repeat the API's scrape-time gauges.
    expect(worker).not.toContain('dd_queue_jobs');
  });

  it('serves every series the Grafana dashboard in docs/ queries', async () => {
    const dashboard = readFileSync(
      new URL('../../docs/grafana/disputedesk.json', import.meta.url),
      'utf8',
    );
    const queried = new Set(
      [...dashboard.matchAll(/\bdd_[a-z0-9_]+/g)].map((m) =>
        m[0].replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    expect(queried.size).toBeGreaterThan(10);
    const served = `${(await scrape(env.stack.api.url)).text}\n${(await scrape(workerUrl())).text}`;
    for (const name of queried) expect(served, name).toContain(`# TYPE ${name} `);
  });
});
