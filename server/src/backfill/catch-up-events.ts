// Catch-up: after an outage or a reconnect, the events Stripe kept (30 days) since the last one
// we have for the tenant are fetched and fed through the normal path — stored in raw_events
// (source `catchup`; duplicates of delivered events are skipped by the unique key) and queued for
// processing. Pages are rate-limited like the backfill's.
import { stripSecretsFromJson } from '../stripe-objects/strip-secrets.ts';
import type Stripe from 'stripe';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import { joinJsonTexts, jsonTexts, type Pool } from '../db.ts';
import { offerEvents } from '../events/enqueue-events.ts';
import { isHandledEventType } from '../events/dispatch-table.ts';
import type { Logger } from '../logger.ts';
import type { Queues } from '../queues.ts';
import type { StripeRateLimiter } from './rate-limiter.ts';

const RETENTION_SECONDS = 30 * 86400;
/** Events can be recorded out of order by a few seconds; look back a little before the last one. */
const OVERLAP_SECONDS = 300;

const INSERT_SQL = `
  INSERT INTO raw_events (tenant_id, stripe_event_id, type, api_version, livemode, stripe_created_at, payload, source, status)
  SELECT $1::uuid, u.id, u.type, u.api_version, u.livemode, u.created, u.payload, 'catchup', u.status::raw_event_status
    FROM unnest($2::text[], $3::text[], $4::text[], $5::bool[], $6::timestamptz[], ${jsonTexts('$7', 'json')}, $8::text[])
         AS u(id, type, api_version, livemode, created, payload, status)
  ON CONFLICT (tenant_id, stripe_event_id, stripe_created_at) DO NOTHING
  RETURNING id, status`;

export async function catchUpEvents(
  deps: {
    pool: Pool;
    logger: Logger;
    queues: Pick<Queues, 'events'>;
    clients: Pick<TenantClients, 'forTenant'>;
    limiter: StripeRateLimiter;
  },
  tenantId: string,
): Promise<{ fetched: number; stored: number; since: number }> {
  const { rows } = await deps.pool.query<{ last: Date | null; account: string; livemode: boolean }>(
    `SELECT (SELECT max(stripe_created_at) FROM raw_events WHERE tenant_id = t.id) AS last,
            t.stripe_account_id AS account, t.livemode
       FROM tenants t WHERE t.id = $1`,
    [tenantId],
  );
  const t = rows[0];
  if (!t) return { fetched: 0, stored: 0, since: 0 };
  const now = Math.floor(Date.now() / 1000);
  const oldest = now - RETENTION_SECONDS + 60;
  const since = Math.max(
    oldest,
    t.last ? Math.floor(t.last.getTime() / 1000) - OVERLAP_SECONDS : oldest,
  );
  const stripe = await deps.clients.forTenant(tenantId);
  let cursor: string | undefined;
  let fetched = 0;
  let stored = 0;
  for (;;) {
    await deps.limiter.take(t.account, t.livemode);
    const page: Stripe.ApiList<Stripe.Event> = await stripe.events.list({
      limit: 100,
      created: { gte: since },
      ...(cursor ? { starting_after: cursor } : {}),
    });
    fetched += page.data.length;
    if (page.data.length > 0) {
      const e = page.data;
      const inserted = await deps.pool.query<{ id: string; status: string }>(INSERT_SQL, [
        tenantId,
        e.map((x) => x.id),
        e.map((x) => x.type),
        e.map((x) => x.api_version ?? null),
        e.map((x) => x.livemode),
        e.map((x) => new Date(x.created * 1000)),
        joinJsonTexts(e.map((x) => stripSecretsFromJson(JSON.stringify(x)))),
        e.map((x) => (isHandledEventType(x.type) ? 'received' : 'ignored')),
      ]);
      stored += inserted.rowCount ?? 0;
      const ids = inserted.rows.filter((r) => r.status === 'received').map((r) => Number(r.id));
      await offerEvents(
        { queue: deps.queues.events },
        ids.sort((a, b) => a - b),
      ).catch((err: unknown) =>
        deps.logger.warn({ err, tenantId }, 'caught-up events not queued; the sweeper will'),
      );
      cursor = e.at(-1)!.id;
    }
    if (!page.has_more) break;
  }
  deps.logger.info({ tenantId, fetched, stored, since }, 'event catch-up done');
  return { fetched, stored, since };
}
