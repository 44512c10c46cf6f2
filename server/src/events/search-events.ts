// Stored events for support staff: filtered by tenant, type (exact, or a prefix ending in `*`),
// status and time received; newest first by id, with a cursor. One event in full, with secrets
// in its payload redacted (a PaymentIntent's client_secret, for instance).
import { redactSecrets } from '../crypto/redact.ts';
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { storedPayload } from './stored-payload.ts';

export interface EventFilter {
  tenant_id?: string;
  type?: string;
  status?: string;
  from?: string;
  to?: string;
}

/** The WHERE clause of a filter, with its parameters numbered from `first`. */
export function eventWhere(f: EventFilter, first = 1) {
  const typeLike = f.type?.endsWith('*')
    ? `${f.type.slice(0, -1).replace(/[%_\\]/g, '\\$&')}%`
    : null;
  return {
    sql: `($${first}::uuid IS NULL OR tenant_id = $${first})
      AND ($${first + 1}::text IS NULL OR type = $${first + 1})
      AND ($${first + 2}::text IS NULL OR type LIKE $${first + 2})
      AND ($${first + 3}::text IS NULL OR status::text = $${first + 3})
      AND ($${first + 4}::timestamptz IS NULL OR received_at >= $${first + 4})
      AND ($${first + 5}::timestamptz IS NULL OR received_at < $${first + 5})`,
    params: [
      f.tenant_id ?? null,
      typeLike ? null : (f.type ?? null),
      typeLike,
      f.status ?? null,
      f.from ?? null,
      f.to ?? null,
    ],
  };
}

interface EventRow {
  id: string;
  tenant_id: string;
  stripe_event_id: string;
  type: string;
  status: string;
  source: string;
  attempts: number;
  last_error: string | null;
  stripe_created_at: Date;
  received_at: Date;
  processed_at: Date | null;
}

const SUMMARY_COLUMNS = `id::text, tenant_id, stripe_event_id, type, status, source, attempts,
  last_error, stripe_created_at, received_at, processed_at`;

const summary = (e: EventRow) => ({
  id: e.id,
  tenantId: e.tenant_id,
  stripeEventId: e.stripe_event_id,
  type: e.type,
  status: e.status,
  source: e.source,
  attempts: e.attempts,
  lastError: e.last_error,
  stripeCreatedAt: e.stripe_created_at.toISOString(),
  receivedAt: e.received_at.toISOString(),
  processedAt: e.processed_at?.toISOString() ?? null,
});

export async function searchEvents(
  pool: Pool,
  f: EventFilter & { limit: number; cursor?: string },
) {
  const before = f.cursor ? Number(f.cursor) : null;
  if (f.cursor && !Number.isSafeInteger(before)) {
    throw new AppError('bad_request', 'The cursor is not one this API returned.');
  }
  const where = eventWhere(f);
  const { rows } = await pool.query<EventRow>(
    `SELECT ${SUMMARY_COLUMNS}
       FROM raw_events WHERE ${where.sql} AND ($7::bigint IS NULL OR raw_events.id < $7)
      ORDER BY raw_events.id DESC LIMIT $8`, // the bigint, not the selected text form
    [...where.params, before, f.limit + 1],
  );
  const page = rows.slice(0, f.limit);
  return {
    data: page.map(summary),
    next_cursor: rows.length > f.limit ? page.at(-1)!.id : null,
  };
}

export async function getEvent(pool: Pool, id: number) {
  const { rows } = await pool.query<EventRow & { api_version: string | null; payload: unknown }>(
    `SELECT ${SUMMARY_COLUMNS}, api_version, ${storedPayload()} AS payload FROM raw_events WHERE id = $1`,
    [id],
  );
  const e = rows[0];
  if (!e) throw new AppError('not_found', `No stored event ${id}.`);
  return {
    ...summary(e),
    apiVersion: e.api_version,
    payload: redactSecrets(e.payload),
  };
}
