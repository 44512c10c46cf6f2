// Postgres access: one pg pool per process, shared by Prisma (through its driver adapter) and
// by the few bulk statements Prisma cannot express (multi-row upserts with an ordering guard).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { poolFieldsFromUrl } from './pg-config.ts';

export type { PrismaClient };
export type Pool = pg.Pool;

export interface Db {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

const INT8_OID = 20;
function int8AsNumber(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return (v: string) => Number(v);
  return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
}

export function poolConfigFromUrl(url: string, max: number): pg.PoolConfig {
  return {
    ...poolFieldsFromUrl(url),
    max,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30000,
    // Our own SQL reads bigint ids and minor-unit amounts as numbers (they fit in a double).
    // Prisma passes its own parsers per query, so this does not change what Prisma returns.
    types: { getTypeParser: int8AsNumber as typeof pg.types.getTypeParser },
  };
}

export function createDb(options: {
  url: string;
  poolSize: number;
  onError?: (err: Error) => void;
}): Db {
  const pool = createPool(options);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** A plain pool (the read replica's): no Prisma. */
export function createPool(options: {
  url: string;
  poolSize: number;
  onError?: (err: Error) => void;
}): Pool {
  const pool = new pg.Pool(poolConfigFromUrl(options.url, options.poolSize));
  // A client losing its connection (Postgres restarted or failed over) must not crash the process:
  // the pool handles idle clients; a checked-out client emits 'error' on itself, and with no
  // listener Node throws. Its query in flight still rejects, so the caller retries or answers 503.
  pool.on('error', (err) => options.onError?.(err));
  pool.on('connect', (client) => client.on('error', (err) => options.onError?.(err)));
  return pool;
}

/** True when the error says the database could not be reached (as opposed to bad data). */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  const code = e?.code ?? '';
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P0[1-3]|08\d{3}|53300)$/.test(code))
    return true;
  return /connect|terminat|Connection|timeout/i.test(e?.message ?? '');
}

/** Runs `fn` in a transaction on one client: committed when it returns, rolled back if it throws. */
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// Many JSON texts as one query parameter: pg sends a text[] parameter as an array literal, escaping
// every quote and backslash of every payload (for event payloads the largest single cost of the
// worker's CPU, and a fifth more bytes). Joined by U+0001 instead, which valid JSON never holds
// raw (control characters inside strings must be escaped, and only whitespace may stand between
// tokens), they go as they are and are split in SQL. Callers pass parsed or serialized JSON only.
const JSON_SEPARATOR = '\u0001';

/** The parameter value for `jsonTexts(...)`. */
export const joinJsonTexts = (texts: readonly string[]): string => texts.join(JSON_SEPARATOR);

/**
 * SQL for the jsonb[] (or json[]) held by a parameter made with `joinJsonTexts`, e.g.
 * `jsonTexts('$7')`.
 */
export const jsonTexts = (param: string, type: 'jsonb' | 'json' = 'jsonb'): string =>
  `string_to_array(${param}::text, E'\\x01')::${type}[]`;
