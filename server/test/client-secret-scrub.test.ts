// The migration that removes client secrets stored before they were stripped at ingest: rows as
// older code wrote them (secrets at the top and nested), scrubbed by the migration's own SQL, with
// everything else left as it was.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({ worker: false });

const MIGRATIONS = path.resolve(import.meta.dirname, '../../prisma/migrations');
const scrubSql = () => {
  const dir = readdirSync(MIGRATIONS).find((d) => d.endsWith('_security_hardening'))!;
  const sql = readFileSync(path.join(MIGRATIONS, dir, 'migration.sql'), 'utf8');
  // Rows stored before migration 20261202090000 keep their body in legacy_payload (jsonb), where
  // the scrub's raw_events statement now finds them.
  return sql
    .slice(sql.indexOf('SET check_function_bodies = off'))
    .replaceAll(
      '"raw_events" SET "payload" = dd_strip_client_secrets("payload")',
      '"raw_events" SET "legacy_payload" = dd_strip_client_secrets("legacy_payload")',
    )
    .replaceAll('WHERE "payload"::text', 'WHERE "legacy_payload"::text');
};

describe('the client-secret scrub migration', () => {
  it('removes client secrets at any depth from raw events and normalized rows, nothing else', async () => {
    const pool = env.stack.db.pool;
    const { tenant } = await activateTenant(
      { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
      { stripeAccountId: stripeId('acct'), livemode: false, connectionType: 'oauth' },
    );
    const pi = {
      id: stripeId('pi'),
      object: 'payment_intent',
      client_secret: 'pi_x_secret_top',
      metadata: { order_id: 'ORD-1', note: 'client_secret is just text here' },
      next_action: { nested: [{ client_secret: 'seti_x_secret_nested', keep: 1 }] },
    };
    const eventId = stripeId('evt');
    await pool.query(
      `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, legacy_payload, source, status)
       VALUES ($1, $2, 'payment_intent.succeeded', false, now(), $3, 'webhook_connect', 'processed')`,
      [tenant.id, eventId, JSON.stringify({ id: eventId, data: { object: pi } })],
    );
    await pool.query(
      `INSERT INTO payment_intents (tenant_id, stripe_id, livemode, amount, amount_received, currency, status,
                                    stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       VALUES ($1, $2, false, 100, 100, 'USD', 'succeeded', now(), $3, now(), 'x')`,
      [tenant.id, pi.id, JSON.stringify(pi)],
    );
    const client = await pool.connect();
    try {
      await client.query(scrubSql());
    } finally {
      client.release();
    }
    const event = await pool.query<{ payload: { data: { object: typeof pi } } }>(
      'SELECT legacy_payload AS payload FROM raw_events WHERE stripe_event_id = $1',
      [eventId],
    );
    const row = await pool.query<{ raw: typeof pi }>(
      'SELECT raw FROM payment_intents WHERE tenant_id = $1 AND stripe_id = $2',
      [tenant.id, pi.id],
    );
    const { client_secret: _top, next_action: _n, ...rest } = pi;
    const expected = { ...rest, next_action: { nested: [{ keep: 1 }] } };
    expect(event.rows[0]!.payload.data.object).toEqual(expected);
    expect(row.rows[0]!.raw).toEqual(expected);
  });
});
