// Stored Stripe objects and payloads are compressed with lz4 (migration json_lz4_compression):
// a new table's jsonb or json column left on the default pglz fails here, as a reminder to set it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './support/harness.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('schema', () => {
  it('compresses every jsonb and json column with lz4, and a stored object comes back whole', async () => {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ col: string; method: string }>(
        `SELECT a.attrelid::regclass::text || '.' || a.attname AS col, a.attcompression AS method
           FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid
          WHERE a.atttypid IN ('jsonb'::regtype, 'json'::regtype) AND r.relkind IN ('r', 'p') AND NOT a.attisdropped
            AND r.relnamespace = current_schema()::regnamespace
          ORDER BY 1`,
      );
      expect(rows.map((r) => r.col)).toEqual(
        expect.arrayContaining(['raw_events.payload', 'raw_events.legacy_payload']),
      );
      expect(rows.filter((r) => r.method !== 'l')).toEqual([]);
      // A value large enough to be compressed is stored with lz4, and read back whole.
      const big = { id: 'cus_x', notes: Array.from({ length: 400 }, (_, i) => `line ${i}`) };
      const { rows: inserted } = await c.query<{ id: string }>(
        `INSERT INTO admin_audit (actor, role, action, params) VALUES ('test', 'admin', 'probe', $1)
         RETURNING id`,
        [JSON.stringify(big)],
      );
      const { rows: back } = await c.query<{ method: string; params: unknown }>(
        'SELECT pg_column_compression(params) AS method, params FROM admin_audit WHERE id = $1',
        [inserted[0]!.id],
      );
      expect(back[0]).toEqual({ method: 'lz4', params: big });
    } finally {
      await c.end();
    }
  });
});
