// Once per test run: a template database with every migration applied. Each test file clones
// it (CREATE DATABASE … TEMPLATE), so files never see each other's rows, and nothing depends
// on what an earlier run left behind.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(import.meta.dirname, '../../..');

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    runId: string;
    redisUrl: string;
  }
}

function withDatabase(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const template = `dd_tpl_${runId}`;

  await admin(adminUrl, async (c) => {
    // Databases of earlier runs that died before their teardown (older than six hours).
    const { rows } = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'dd\\_t%\\_%'",
    );
    for (const { datname } of rows) {
      const stamp = parseInt(/^dd_(?:tpl|t)_([0-9a-z]{8})/.exec(datname)?.[1] ?? '', 36);
      if (Number.isFinite(stamp) && Date.now() - stamp > 6 * 3600_000) {
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
    await c.query(`CREATE DATABASE "${template}"`);
  });

  const migrate = spawnSync(
    'npx',
    ['prisma', 'migrate', 'deploy', '--config', 'prisma/prisma.config.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: withDatabase(adminUrl, template) },
      encoding: 'utf8',
    },
  );
  if (migrate.status !== 0) {
    throw new Error(
      `migrations failed on the test template:\n${migrate.stdout}\n${migrate.stderr}`,
    );
  }

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);
  project.provide('runId', runId);
  project.provide('redisUrl', redisUrl);

  return async () => {
    await admin(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2',
        [template, `dd\\_t\\_${runId}\\_%`],
      );
      for (const { datname } of rows)
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  };
}
