// The admin API under hostile or careless input: cursor lists return every row exactly once
// (ids crossing digit boundaries, more than two pages); text Postgres cannot store is refused
// before any action runs (and the refusal audited); an action never runs without its audit row;
// malformed bodies, encodings, dates and cursors are 4xx in the standard error shape.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeAudit } from '../src/admin/access/audit-log.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { adminCall } from './support/admin-client.ts';
import { ADMIN_TOKEN } from './support/emulator.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({ worker: false, env: () => ({ ADMIN_API_TOKENS: ADMIN_TOKEN }) });
const api = () => env.stack.api.url;
const pool = () => env.stack.db.pool;

async function tenant() {
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: stripeId('acct'), livemode: false, connectionType: 'oauth' },
  );
  return tenant.id;
}

/** Every page of a cursor list, following next_cursor. */
async function allPages(path: string, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: {
      status: number;
      body: { data: Array<{ id: string }>; next_cursor: string | null };
    } = await adminCall(
      api(),
      'GET',
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.data.map((r) => r.id));
    cursor = res.body.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  return { ids, pages };
}

const expectEachOnce = (got: string[], want: string[]) => {
  expect(new Set(got).size).toBe(got.length);
  expect([...got].sort()).toEqual([...want].sort());
};

describe('cursor lists', () => {
  it('return every audit row exactly once across pages and digit boundaries', async () => {
    const actor = { id: null, name: `pager ${stripeId('x')}`, role: 'admin' as const };
    for (let i = 0; i < 23; i++)
      await writeAudit(pool(), {
        actor,
        action: 'POST /test',
        target: null,
        params: {},
        status: 200,
        result: null,
        ip: null,
      });
    const { rows } = await pool().query<{ id: string }>(
      'SELECT id::text AS id FROM admin_audit WHERE actor = $1',
      [actor.name],
    );
    const { ids, pages } = await allPages(`audit?actor=${encodeURIComponent(actor.name)}`, 4);
    expect(pages).toBeGreaterThan(2);
    expectEachOnce(
      ids,
      rows.map((r) => r.id),
    );
    expect(ids.map(Number)).toEqual([...ids.map(Number)].sort((a, b) => b - a));
  });

  it('return every stored event exactly once', async () => {
    const tenantId = await tenant();
    for (let i = 0; i < 37; i++) {
      await pool().query(
        `INSERT INTO raw_events (tenant_id, stripe_event_id, type, livemode, stripe_created_at, payload, source, status)
         VALUES ($1, $2, 'customer.created', false, now(), '{}', 'webhook_connect', 'ignored')`,
        [tenantId, stripeId('evt')],
      );
    }
    const { rows } = await pool().query<{ id: string }>(
      'SELECT id::text AS id FROM raw_events WHERE tenant_id = $1',
      [tenantId],
    );
    const { ids, pages } = await allPages(`events?tenant_id=${tenantId}`, 5);
    expect(pages).toBeGreaterThan(2);
    expectEachOnce(
      ids,
      rows.map((r) => r.id),
    );
  });

  it('return every notification exactly once', async () => {
    const tenantId = await tenant();
    const { rows: dest } = await pool().query<{ id: string }>(
      `INSERT INTO notification_destinations (id, tenant_id, url, updated_at)
       VALUES (gen_random_uuid(), $1, 'https://example.com/hook', now()) RETURNING id`,
      [tenantId],
    );
    for (let i = 0; i < 26; i++) {
      await pool().query(
        `INSERT INTO notifications (tenant_id, destination_id, dispute_id, payload, status)
         VALUES ($1, $2, $3, '{}', 'delivered')`,
        [tenantId, dest[0]!.id, stripeId('du')],
      );
    }
    const { rows } = await pool().query<{ id: string }>(
      'SELECT id::text AS id FROM notifications WHERE tenant_id = $1',
      [tenantId],
    );
    const { ids, pages } = await allPages(`tenants/${tenantId}/notifications`, 3);
    expect(pages).toBeGreaterThan(2);
    expectEachOnce(
      ids,
      rows.map((r) => r.id),
    );
  });
});

describe('input Postgres cannot store', () => {
  it('is refused with 400 before a mutating call acts, and the refusal is audited', async () => {
    const tenantId = await tenant();
    for (const [path, body] of [
      [`tenants/${tenantId}/pause?note=a%00b`, { reason: 'review' }],
      [`tenants/${tenantId}/pause`, { reason: 'nul \u0000 inside' }],
      [`tenants/${tenantId}/pause`, { reason: 'lone \ud800 surrogate' }],
    ] as const) {
      const res = await adminCall<{ error: { code: string; details: { reason: string } } }>(
        api(),
        'POST',
        path,
        { body },
      );
      expect(res.status, path).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'bad_request',
        details: { reason: 'unstorable_text' },
      });
    }
    const { rows } = await pool().query<{ status: string }>(
      'SELECT status FROM tenants WHERE id = $1',
      [tenantId],
    );
    expect(rows[0]!.status).toBe('active');
    const audit = await pool().query<{ status: number; params: string }>(
      'SELECT status, params::text AS params FROM admin_audit WHERE target = $1 ORDER BY id',
      [tenantId],
    );
    expect(audit.rows.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(audit.rows[0]!.params).toContain('a\uFFFDb');
  });

  it('NUL in filters, path ids and the Bull Board path is a 400, not a 500', async () => {
    for (const path of [
      'tenants?q=a%00b',
      'events?type=charge.%00',
      'audit?actor=%00',
      'events/%00',
      `tenants/${crypto.randomUUID()}%00`,
    ]) {
      const res = await adminCall<{ error: { code: string } }>(api(), 'GET', path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body.error.code, path).toBeTypeOf('string');
    }
  });
});

describe('an action and its audit row', () => {
  it('does not run when its audit row cannot be written', async () => {
    const tenantId = await tenant();
    // Make this one tenant's audit rows impossible to write (as a full disk or an outage would).
    await pool().query(
      `ALTER TABLE admin_audit ADD CONSTRAINT audit_blocked CHECK (target IS DISTINCT FROM '${tenantId}')`,
    );
    try {
      const res = await adminCall(api(), 'POST', `tenants/${tenantId}/pause`, {
        body: { reason: 'must not happen unaudited' },
      });
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toMatch(/audit_blocked|INSERT|constraint/i);
    } finally {
      await pool().query('ALTER TABLE admin_audit DROP CONSTRAINT audit_blocked');
    }
    const { rows } = await pool().query<{ status: string }>(
      'SELECT status FROM tenants WHERE id = $1',
      [tenantId],
    );
    expect(rows[0]!.status).toBe('active');
    // With the audit log writable again the same call acts, and its row records the outcome.
    const ok = await adminCall(api(), 'POST', `tenants/${tenantId}/pause`, {
      body: { reason: 'audited' },
    });
    expect(ok.status).toBe(200);
    const audit = await pool().query<{ status: number | null }>(
      'SELECT status FROM admin_audit WHERE target = $1',
      [tenantId],
    );
    expect(audit.rows).toEqual([{ status: 200 }]);
  });
});

describe('malformed requests', () => {
  const raw = (path: string, init: RequestInit) =>
    fetch(`${api()}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...init.headers },
    });

  it('unknown or broken Content-Encoding, bad JSON: 4xx with the error shape', async () => {
    const tenantId = await tenant();
    const cases: Array<[RequestInit, number]> = [
      [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'br2' },
          body: '{"reason":"x"}',
        },
        415,
      ],
      [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: 'not gzip at all',
        },
        400,
      ],
      [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: gzipSync('{"reason":'),
        },
        400,
      ],
      [
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":' },
        400,
      ],
    ];
    for (const [init, status] of cases) {
      const res = await raw(`/admin/v1/tenants/${tenantId}/pause`, init);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, JSON.stringify(init.headers)).toBe(status);
      expect(body.error.message).not.toMatch(/at .*\.js|node_modules/);
    }
    const { rows } = await pool().query<{ status: string }>(
      'SELECT status FROM tenants WHERE id = $1',
      [tenantId],
    );
    expect(rows[0]!.status).toBe('active');
  });

  it('impossible dates and malformed cursors: 400', async () => {
    for (const path of [
      'events?from=0000-01-01T00:00:00Z',
      'events?to=-000001-01-01T00:00:00Z',
      'events?from=99999-01-01T00:00:00Z',
      'events?cursor=abc',
      'events?cursor=1e400',
      'events?cursor=99999999999999999999',
      'audit?cursor=99999999999999999999',
      'audit?cursor=-1',
      'tenants?cursor=%FF%FE',
      'tenants?cursor=bm9wZQ',
      `tenants/${crypto.randomUUID()}/notifications?cursor=1e30`,
    ]) {
      const res = await adminCall<{ error: { code: string } }>(api(), 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('bad_request');
    }
  });
});
