// DATABASE_URL may name a Unix socket directory, as libpq takes it (the `host` query parameter,
// or the host percent-encoded): the pool, the workers and the Prisma CLI then connect over the
// socket, not TCP — checked here on a real connection, by the address Postgres sees.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { poolConfigFromUrl } from '../src/db.ts';
import { poolFieldsFromUrl } from '../src/pg-config.ts';

/** Connects with the pool fields of `url` and answers whether Postgres saw a socket client. */
async function overSocket(url: string): Promise<boolean> {
  const pool = new pg.Pool(poolConfigFromUrl(url, 1));
  try {
    const { rows } = await pool.query<{ unix: boolean }>(
      'SELECT inet_client_addr() IS NULL AS unix',
    );
    return rows[0]!.unix;
  } finally {
    await pool.end();
  }
}

async function socketDirectory(): Promise<string> {
  const c = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await c.connect();
  try {
    const { rows } = await c.query<{ d: string }>(
      "SELECT current_setting('unix_socket_directories') AS d",
    );
    const dir = rows[0]!.d.split(',')[0]!.trim();
    if (!dir) throw new Error('this Postgres listens on no Unix socket');
    return dir;
  } finally {
    await c.end();
  }
}

describe('poolFieldsFromUrl', () => {
  it('reads host, port, user, password and database from a TCP URL', () => {
    expect(poolFieldsFromUrl('postgresql://dd:p%40ss@db.internal:6543/disputedesk')).toEqual({
      host: 'db.internal',
      port: 6543,
      user: 'dd',
      password: 'p@ss',
      database: 'disputedesk',
    });
  });

  it('takes a socket directory from the host parameter (over the URL host) or the encoded host', () => {
    expect(
      poolFieldsFromUrl('postgresql://postgres@localhost/dd?host=/var/run/postgresql&port=5433'),
    ).toMatchObject({ host: '/var/run/postgresql', port: 5433, database: 'dd' });
    expect(poolFieldsFromUrl('postgresql:///dd?host=/tmp')).toMatchObject({
      host: '/tmp',
      user: 'postgres',
      database: 'dd',
    });
    expect(poolFieldsFromUrl('postgresql://%2Fvar%2Frun%2Fpostgresql/dd')).toMatchObject({
      host: '/var/run/postgresql',
      port: 5432,
    });
  });

  it('is accepted by the configuration', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://postgres@localhost/dd?host=/var/run/postgresql',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ENCRYPTION_KEYS: `a:${Buffer.alloc(32, 7).toString('base64')}`,
      ENCRYPTION_PRIMARY_KEY_ID: 'a',
    });
    expect(poolFieldsFromUrl(config.database.url).host).toBe('/var/run/postgresql');
  });
});

describe('connecting over a Unix socket', () => {
  it('uses the socket when the URL names it, and TCP when it does not', async () => {
    const admin = new URL(inject('adminDatabaseUrl'));
    const dir = await socketDirectory();
    const withParam = new URL(admin);
    withParam.searchParams.set('host', dir);
    expect(await overSocket(withParam.toString())).toBe(true);
    const encoded = `postgresql://${encodeURIComponent(admin.username || 'postgres')}@${encodeURIComponent(dir)}:${admin.port || 5432}${admin.pathname}`;
    expect(await overSocket(encoded)).toBe(true);
    expect(await overSocket(admin.toString())).toBe(admin.hostname.startsWith('%2F'));
  });
});
