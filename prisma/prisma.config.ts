// Prisma CLI configuration. The CLI runs the JavaScript schema engine through the pg driver
// adapter (the native engines cannot be downloaded on offline machines; see docs/DEVELOPMENT.md).
// DATABASE_URL is split into discrete pool fields: the adapter's migration path needs them.
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';
import { poolFieldsFromUrl } from '../server/src/pg-config.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/disputedesk';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  adapter: async () => new PrismaPg(poolFieldsFromUrl(databaseUrl)),
});
