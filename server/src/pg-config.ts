// DATABASE_URL → discrete pg pool fields. Shared by the runtime (db.ts) and the Prisma CLI
// configuration (prisma/prisma.config.ts), so it imports nothing else: the CLI loads it before
// the Prisma client exists.
// The host may be a Unix socket directory, as libpq takes it: in the `host` query parameter
// (`postgresql://postgres@localhost/disputedesk?host=/var/run/postgresql`, which wins over the
// URL's host) or percent-encoded in the URL's host (`postgresql://%2Fvar%2Frun%2Fpostgresql/db`).
// Until 2026-12-04 both were read as the TCP host `localhost` (or an invalid one), so a
// deployment that asked for the socket got TCP without a word.
import type pg from 'pg';

export function poolFieldsFromUrl(
  url: string,
): Pick<pg.PoolConfig, 'host' | 'port' | 'user' | 'password' | 'database'> {
  const u = new URL(url);
  const host = u.searchParams.get('host') || decodeURIComponent(u.hostname) || 'localhost';
  return {
    host,
    port: Number(u.searchParams.get('port') || u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, '') || 'postgres',
  };
}
