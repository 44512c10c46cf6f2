// One slice of a window: up to `pagesPerJob` pages of 100, each stored with one multi-row upsert
// (ordering-guarded, so history never overwrites newer webhook state) in the same transaction as
// the window's cursor. Killed at any moment, the window resumes after the last committed page:
// no gap, no duplicate. A 429 waits (backoff with jitter) and retries the page; 401, and 403 on
// disputes, charges or PaymentIntents, fail the run with Stripe's reason; 403 on anything else
// marks that resource not permitted (Stripe's words kept, shown with the progress) and the run
// goes on: an OAuth app cannot be granted every list (early fraud warnings have no app
// permission), and a restricted key may leave one out. When the window is done the tenant's next
// window is queued, and the run succeeds only when every window is done (continue-run.ts).
import Stripe from 'stripe';
import { withTransaction, type Pool } from '../db.ts';
import { intakeDisputes } from '../disputes/intake-disputes.ts';
import { offerDeliveries } from '../notifications/offer-deliveries.ts';
import type { Logger } from '../logger.ts';
import { backfillWindowJob, type Queues } from '../queues.ts';
import type { ResourceName } from '../stripe-objects/resources.ts';
import { upsertObjects } from '../stripe-objects/upsert-objects.ts';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import { continueRun, resumeRun } from './continue-run.ts';
import { LISTERS } from './list-resources.ts';
import type { StripeRateLimiter } from './rate-limiter.ts';
import type { Metrics } from '../metrics/metrics.ts';

export interface WindowDeps {
  pool: Pool;
  logger: Logger;
  queues: Pick<Queues, 'backfill' | 'notifications'>;
  clients: Pick<TenantClients, 'forTenant'>;
  limiter: StripeRateLimiter;
  settings: { tenantConcurrency: number; pagesPerJob: number };
  metrics?: Pick<Metrics, 'backfillObjects'>;
  /** For tests: called after each committed page. */
  afterPage?: (windowId: number, pages: number) => Promise<void> | void;
}

interface WindowRow {
  id: string;
  run_id: string;
  tenant_id: string;
  resource: ResourceName;
  window_start: Date;
  window_end: Date;
  cursor: string | null;
  status: string;
  pages: number;
  run_status: string;
  account: string;
  livemode: boolean;
  tenant_status: string;
  connected_at: Date | null;
}

const MAX_429_WAITS = 20;

async function fetchPage(deps: WindowDeps, stripe: Stripe, w: WindowRow) {
  const list = LISTERS.get(w.resource)!;
  for (let attempt = 0; ; attempt++) {
    await deps.limiter.take(w.account, w.livemode);
    try {
      return await list(stripe, {
        limit: 100,
        created: {
          gte: Math.floor(w.window_start.getTime() / 1000),
          lt: Math.ceil(w.window_end.getTime() / 1000),
        },
        ...(w.cursor ? { starting_after: w.cursor } : {}),
      });
    } catch (err) {
      if (err instanceof Stripe.errors.StripeRateLimitError && attempt < MAX_429_WAITS) {
        const wait = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
        deps.logger.debug({ windowId: w.id, wait }, 'rate limited by Stripe; waiting');
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      throw err;
    }
  }
}

async function failRun(deps: WindowDeps, w: WindowRow, reason: string) {
  await deps.pool.query(
    `UPDATE backfill_windows SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`,
    [w.id, reason],
  );
  await deps.pool.query(
    `UPDATE backfill_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'running'`,
    [w.run_id, reason],
  );
  deps.logger.warn({ tenantId: w.tenant_id, runId: w.run_id, reason }, 'backfill failed');
}

/** The window with its run's and tenant's state, or null when its run is over. */
async function loadWindow(deps: WindowDeps, windowId: number) {
  const { rows } = await deps.pool.query<WindowRow>(
    `SELECT w.id::text AS id, w.run_id, w.tenant_id, w.resource, w.window_start, w.window_end, w.cursor,
            w.status, w.pages, r.status AS run_status, t.stripe_account_id AS account, t.livemode,
            t.status AS tenant_status, t.connected_at
       FROM backfill_windows w JOIN backfill_runs r ON r.id = w.run_id JOIN tenants t ON t.id = w.tenant_id
      WHERE w.id = $1`,
    [windowId],
  );
  const w = rows[0];
  if (!w || w.status === 'failed' || w.run_status !== 'running') return null;
  return w;
}

/**
 * The next page, or 'stopped' when Stripe refused it for good (the run failed, or the resource
 * is marked not permitted). Anything else throws: BullMQ retries the slice from the cursor.
 */
async function nextPage(deps: WindowDeps, stripe: Stripe, w: WindowRow) {
  try {
    return await fetchPage(deps, stripe, w);
  } catch (err) {
    if (err instanceof Stripe.errors.StripePermissionError && !CORE.has(w.resource)) {
      await notPermitted(deps, w, err.message);
      return 'stopped' as const;
    }
    if (
      err instanceof Stripe.errors.StripeAuthenticationError ||
      err instanceof Stripe.errors.StripePermissionError
    ) {
      await failRun(deps, w, `${w.resource}: ${err.message}`);
      return 'stopped' as const;
    }
    throw err;
  }
}

/** Thrown inside a page's transaction to roll it back: someone moved the cursor meanwhile. */
class CursorMoved extends Error {}

/**
 * Stores one page and moves the cursor in one transaction. Returns the disputes to notify about,
 * or null when the cursor had moved (a retried slice racing its continuation): nothing stored.
 */
async function storePage(
  deps: WindowDeps,
  w: WindowRow,
  page: Stripe.ApiList<{ id: string }>,
  fetchedAt: Date,
): Promise<string[] | null> {
  const snapshots = page.data.map((object) => ({ object, snapshotAt: fetchedAt }));
  const last = page.data.at(-1)?.id ?? w.cursor;
  try {
    const notify = await withTransaction(deps.pool, async (client) => {
      let notify: string[] = [];
      if (w.resource === 'dispute') {
        // The same intake as the webhook handler (the same payment locks: a dispute arriving by
        // webhook while this page stores it is seen by one or the other, never notified twice).
        // History is not news: only disputes opened since the connection are notified.
        const since = w.connected_at ? w.connected_at.getTime() / 1000 - 60 : Infinity;
        const fresh = new Set(
          page.data.filter((d) => (d as Stripe.Dispute).created >= since).map((d) => d.id),
        );
        notify = await intakeDisputes(
          client,
          w.tenant_id,
          snapshots.map((s) => ({
            ...s,
            object: s.object as Stripe.Dispute,
            sourceEventId: 'backfill',
          })),
          { notify: (id) => fresh.has(id) },
        );
      } else {
        await upsertObjects(client, w.resource, w.tenant_id, snapshots);
      }
      const moved = await client.query(
        `UPDATE backfill_windows SET cursor = $2, pages = pages + 1, objects = objects + $3,
                status = CASE WHEN $4 THEN 'done' ELSE status END, updated_at = now()
          WHERE id = $1 AND cursor IS NOT DISTINCT FROM $5 AND status = 'queued'`,
        [w.id, last, page.data.length, !page.has_more, w.cursor],
      );
      if (moved.rowCount === 0) throw new CursorMoved();
      return notify;
    });
    w.cursor = last;
    deps.metrics?.backfillObjects.inc({ resource: w.resource }, page.data.length);
    return notify;
  } catch (err) {
    if (err instanceof CursorMoved) return null;
    throw err;
  }
}

export async function runBackfillWindow(
  deps: WindowDeps,
  windowId: number,
): Promise<{ pages: number; objects: number; done: boolean }> {
  const w = await loadWindow(deps, windowId);
  if (!w) return { pages: 0, objects: 0, done: true };
  if (w.status === 'done' || w.status === 'not_permitted') {
    // Its last page committed, but the worker died before what follows (this is the stalled job
    // run again): without this the run would stay running, its pending windows never queued.
    await resumeRun(deps, { runId: w.run_id, tenantId: w.tenant_id });
    return { pages: 0, objects: 0, done: true };
  }
  // A paused tenant's windows wait (still queued); resuming offers them again.
  if (w.tenant_status === 'paused') return { pages: 0, objects: 0, done: false };
  let stripe: Stripe;
  try {
    stripe = await deps.clients.forTenant(w.tenant_id);
  } catch (err) {
    await failRun(deps, w, `no Stripe access: ${(err as Error).message}`);
    return { pages: 0, objects: 0, done: true };
  }
  let pages = 0;
  let objects = 0;
  let done = false;
  while (pages < deps.settings.pagesPerJob) {
    // Stripe's event times are whole seconds: a page fetched at 12:00:00.5 must not outrank an
    // event created "12:00:00" that happened after the fetch. One second back, truncated, lets
    // such an event win (and a same-second tie falls to the lifecycle rank).
    const fetchedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    const page = await nextPage(deps, stripe, w);
    if (page === 'stopped') return { pages, objects, done: true };
    const notify = await storePage(deps, w, page, fetchedAt);
    if (notify === null) return { pages, objects, done: true };
    done = !page.has_more;
    pages++;
    objects += page.data.length;
    await offerDeliveries(deps.queues, notify, deps.logger);
    await deps.afterPage?.(windowId, w.pages + pages);
    if (done) break;
  }
  if (!done) {
    // Yield the slot: the rest of this window goes to the back of the queue.
    await deps.queues.backfill.add(
      backfillWindowJob.name,
      { windowId },
      { jobId: backfillWindowJob.jobId(windowId, w.pages + pages) },
    );
    return { pages, objects, done };
  }
  await continueRun(deps, { runId: w.run_id, tenantId: w.tenant_id });
  return { pages, objects, done };
}

/** Without these a history is no history: a 403 on them fails the run. */
const CORE = new Set<ResourceName>(['dispute', 'charge', 'payment_intent']);

/** Every window of this run and resource ends as not permitted, with Stripe's reason. */
async function notPermitted(deps: WindowDeps, w: WindowRow, reason: string) {
  await deps.pool.query(
    `UPDATE backfill_windows SET status = 'not_permitted', error = $3, updated_at = now()
      WHERE run_id = $1 AND resource = $2 AND status IN ('pending', 'queued')`,
    [w.run_id, w.resource, reason.slice(0, 1000)],
  );
  deps.logger.warn(
    { tenantId: w.tenant_id, runId: w.run_id, resource: w.resource, reason },
    'backfill: resource not permitted, skipped',
  );
  await continueRun(deps, { runId: w.run_id, tenantId: w.tenant_id });
}
