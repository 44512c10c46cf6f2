// Per-scenario state: a fresh migrated database (on the shared server or a private cluster),
// active tenants for given accounts, and signing secrets.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from './processes.ts';

export const sharedAdminUrl =
  process.env.RESILIENCE_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const sharedRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function freshDatabase(adminUrl = sharedAdminUrl) {
  const name = `dd_res_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  migrate(url);
  return {
    url,
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined),
  };
}

export async function activeTenants(databaseUrl: string, accounts: string[]) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ id: string; stripe_account_id: string }>(
      `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, connected_at, updated_at)
       SELECT gen_random_uuid(), a, false, 'active', 'oauth', now(), now() FROM unnest($1::text[]) a
       RETURNING id, stripe_account_id`,
      [accounts],
    );
    return rows;
  } finally {
    await c.end();
  }
}

export const accountsNamed = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `acct_res${tag}${i}`);
export const connectSecret = () => `whsec_res_${randomBytes(16).toString('hex')}`;

export async function ready(url: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/readyz`).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

export interface ScenarioResult {
  name: string;
  problems: string[];
  figures: Record<string, string | number>;
}
