// DATABASE_URL → discrete pg pool fields. Shared by the runtime (db.ts) and the Prisma CLI
// configuration (prisma/prisma.config.ts), so it imports nothing else: the CLI loads it before
// the Prisma client exists.
import type pg from 'pg';

export function poolFieldsFromUrl(
  url: string,
): Pick<pg.PoolConfig, 'host' | 'port' | 'user' | 'password' | 'database'> {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, '') || 'postgres',
  };
}
