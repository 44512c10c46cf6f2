// Bounded property-based fuzzing (fast-check) of every admin route — taken from the OpenAPI
// document the API serves — and every app route — taken from the mounted router, each request
// signed as the app signs it — with generated bad input: NUL and lone surrogates, overlong text,
// wrong types, impossible dates and numbers, malformed cursors and ids, SQL and path tricks,
// broken bodies and encodings. Every answer must be below 500, in the standard error shape when
// it is an error, and free of stack or SQL text; afterwards no table has changed (the audit log
// and the failed-sign-in log excepted: recording refusals is their job). FUZZ_RUNS and FUZZ_SEED:
// support/fuzz-settings.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adminRoutes } from '../src/admin/routes/admin-router.ts';
import { appRouter } from '../src/app-api/routes.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { signedAppHeaders, ADMIN_TOKEN, APP_SECRETS } from './support/emulator.ts';
import { FUZZ_RUNS, FUZZ_SEED } from './support/fuzz-settings.ts';
import { routerDeps, useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const RUNS = FUZZ_RUNS;
const SEED = FUZZ_SEED;

const env = useStack({
  worker: false,
  env: () => ({
    ADMIN_API_TOKENS: ADMIN_TOKEN,
    ADMIN_RATE_LIMIT_PER_MINUTE: '100000',
    ADMIN_AUTH_FAILURES_PER_MINUTE: '100000',
    STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(','),
    NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'false',
  }),
});

// --- generated bad input ----------------------------------------------------------------------

const NASTY = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  "' OR '1'='1",
  "'); DROP TABLE tenants; --",
  '../../etc/passwd',
  '%',
  '_',
  '\\',
  '1e400',
  '-1',
  '0',
  '99999999999999999999',
  '9007199254740993',
  'NaN',
  'Infinity',
  '0000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '275760-09-13T00:00:00Z',
  '2026-02-30T25:61:00Z',
  'null',
  'undefined',
  '[]',
  '{}',
  'true',
  '🙂\u200b',
  'x'.repeat(5000),
  'evt_',
  'acct_',
  'du_x',
  '00000000-0000-4000-8000-000000000000',
  'bm9wZQ',
  '%FF%FE',
];
const nastyText = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nastyText, { maxLength: 3 }),
  fc.dictionary(nastyText, nastyText, { maxKeys: 3 }),
);
const badValue = fc.oneof(nastyText, wrongType);

/** A body: anything at all, or the route's own field names with bad values. */
const badBody = (fields: string[]) =>
  fc.oneof(
    fc.anything(),
    fields.length
      ? fc.dictionary(fc.constantFrom(...fields), badValue, { minKeys: 1 })
      : fc.dictionary(nastyText, badValue),
  );

/** A query: the route's parameter names (and strangers) with bad text. */
const badQuery = (names: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...names, 'cursor', 'limit'), nastyText), nastyText, {
    maxKeys: 4,
  });

const pathValue = fc.oneof(fc.uuid(), nastyText, fc.constantFrom('evt_1', 'du_1', 'ch_1', '1'));

/** Broken wire formats, for routes with a body. */
const RAW_BODIES: Array<{ headers: Record<string, string>; body: string | Uint8Array }> = [
  { headers: { 'content-type': 'application/json' }, body: '{"a":' },
  { headers: { 'content-type': 'application/json' }, body: '\u0000' },
  { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'nope' },
  { headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, body: '{}' },
  { headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}' },
  {
    headers: { 'content-type': 'application/json' },
    body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
  },
  { headers: { 'content-type': 'text/plain' }, body: 'hello' },
  { headers: { 'content-type': 'application/json' }, body: JSON.stringify('x'.repeat(70_000)) },
];

// --- what every answer must be ------------------------------------------------------------------

const LEAKS =
  /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|syntax error|relation "|violates|duplicate key|PrismaClient/;

async function check(what: string, res: Response) {
  const text = await res.text();
  expect(res.status, `${what} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(text, what).not.toMatch(LEAKS);
  if (res.status >= 400 && res.status !== 404 && text.startsWith('{')) {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, `${what}: ${text.slice(0, 200)}`).toBe('string');
    expect(typeof body.error?.message, what).toBe('string');
  }
}

/** Every table's content except the logs whose job is to record refused calls. */
async function fingerprint() {
  const pool = env.stack.db.pool;
  const { rows: tables } = await pool.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'
       AND tablename NOT IN ('admin_audit', 'admin_auth_failures', '_prisma_migrations') ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const { rows } = await pool.query<{ h: string | null }>(
      `SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM "${t}" x`,
    );
    out[t] = rows[0]!.h ?? '';
  }
  return out;
}

const deps = () => routerDeps(env.stack);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Percent-encodes a path segment; a lone surrogate goes as the invalid UTF-8 bytes ED A0 80. */
const segment = (v: string) =>
  v
    .split(LONE_SURROGATE)
    .map((part) => encodeURIComponent(part))
    .join('%ED%A0%80');

const fill = (path: string, values: Record<string, string>) =>
  path.replace(/:(\w+)/g, (_m, name: string) => segment(values[name] ?? ''));

const queryString = (q: Record<string, string>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) u.append(k, v);
  return u.toString();
};

describe('fuzzing every route with bad input', () => {
  it('admin API: no 5xx, no leaks, nothing changed', async () => {
    const d = deps();
    try {
      const routes = adminRoutes(d);
      const api = env.stack.api.url;
      const doc = (await (
        await fetch(`${api}/admin/v1/openapi.json`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        })
      ).json()) as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      expect(documented.length).toBe(routes.length);
      const before = await fingerprint();
      for (const key of documented) {
        const r = routes.find((x) => `${x.method} ${x.path}` === key)!;
        const paramNames = Object.keys(r.params.shape);
        const queryNames = Object.keys(r.query.shape);
        const bodyFields =
          r.body && 'shape' in r.body ? Object.keys((r.body as { shape: object }).shape) : [];
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              params: fc.dictionary(fc.constantFrom(...paramNames, 'x'), pathValue),
              query: badQuery(queryNames),
              body: badBody(bodyFields),
            }),
            async (input) => {
              const params = Object.fromEntries(
                paramNames.map((n) => [n, String(input.params[n] ?? 'x')]),
              );
              // Only bad input: a mutating call whose every part is valid could act, legitimately.
              const valid =
                r.params.safeParse(params).success &&
                r.query.safeParse(input.query).success &&
                (!r.body || r.body.safeParse(input.body).success);
              fc.pre(r.method === 'get' || !valid);
              const qs = queryString(input.query);
              const url = `${api}${fill(r.path, params)}${qs ? `?${qs}` : ''}`;
              const res = await fetch(url, {
                method: r.method.toUpperCase(),
                headers: {
                  authorization: `Bearer ${ADMIN_TOKEN}`,
                  'content-type': 'application/json',
                },
                ...(r.method === 'get' ? {} : { body: JSON.stringify(input.body) ?? 'null' }),
              });
              await check(`${key} ${url.slice(api.length, api.length + 200)}`, res);
            },
          ),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
        if (r.method !== 'get') {
          for (const raw of RAW_BODIES) {
            const path = fill(
              r.path,
              Object.fromEntries(paramNames.map((n) => [n, crypto.randomUUID()])),
            );
            const res = await fetch(`${api}${path}`, {
              method: r.method.toUpperCase(),
              headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...raw.headers },
              body: raw.body,
            });
            await check(`${key} raw ${JSON.stringify(raw.headers)}`, res);
          }
        }
      }
      expect(await fingerprint()).toEqual(before);
    } finally {
      d.redis.disconnect();
    }
  });

  it('app API: no 5xx, no leaks, nothing changed (requests signed as the app signs them)', async () => {
    const d = deps();
    try {
      const router = appRouter(d) as unknown as {
        stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
      };
      const routes = router.stack
        .filter((l) => l.route)
        .flatMap((l) =>
          Object.keys(l.route!.methods).map((m) => ({ method: m, path: l.route!.path })),
        );
      expect(routes.length).toBeGreaterThanOrEqual(14);
      const account = stripeId('acct');
      await activateTenant(
        { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
        { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
      );
      const who = { user: stripeId('usr'), account };
      const identity = { user_id: who.user, account_id: account, mode: 'test' };
      const api = env.stack.api.url;
      const before = await fingerprint();
      for (const r of routes) {
        const method = r.method.toUpperCase();
        const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              params: fc.dictionary(fc.constantFrom(...names, 'x'), pathValue),
              query: badQuery(['status', 'type', 'reason', 'due_before', 'limit', 'cursor']),
              body: badBody(['url', 'enabled', 'apiKey', 'webhookSecret', 'confirm']),
              tamper: fc.constantFrom('signed', 'signed', 'signed', 'unsigned', 'identity-only'),
            }),
            async (input) => {
              const path = fill(
                r.path,
                Object.fromEntries(names.map((n) => [n, String(input.params[n] ?? 'x')])),
              );
              const url = new URL(`${api}${path}`);
              for (const [k, v] of Object.entries(input.query)) url.searchParams.append(k, v);
              if (method === 'GET')
                for (const [k, v] of Object.entries(identity)) url.searchParams.set(k, v);
              const body =
                method === 'GET'
                  ? ''
                  : (JSON.stringify(
                      input.body !== null &&
                        typeof input.body === 'object' &&
                        !Array.isArray(input.body)
                        ? { ...input.body, ...identity }
                        : input.body,
                    ) ?? 'null');
              const signed = await signedAppHeaders(method, url, who, body);
              const headers: Record<string, string> = {
                'content-type': 'application/json',
                ...(input.tamper === 'signed' ? signed : {}),
                ...(input.tamper === 'identity-only'
                  ? {
                      'stripe-signature': signed['stripe-signature']!.replace(
                        /v1=\w{4}/,
                        'v1=0000',
                      ),
                    }
                  : {}),
              };
              const res = await fetch(url, {
                method,
                headers,
                ...(method === 'GET' ? {} : { body }),
              });
              await check(`${method} ${url.pathname.slice(0, 150)}`, res);
            },
          ),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
      }
      expect(await fingerprint()).toEqual(before);
    } finally {
      d.redis.disconnect();
    }
  });
  it('GET /metrics: no 5xx, no leaks, nothing changed, whatever the token, method and query', async () => {
    const api = env.stack.api.url;
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD'),
          query: badQuery(['name', 'format']),
          auth: fc.oneof(
            fc.constant(`Bearer ${ADMIN_TOKEN}`),
            fc.string().map((t) => `Bearer ${t}`),
            fc.string().map((t) => `Basic ${Buffer.from(t).toString('base64')}`),
            fc.string(),
            fc.constant(''),
          ),
        }),
        async (input) => {
          const url = `${api}/metrics?${queryString(input.query)}`;
          const res = await fetch(url, {
            method: input.method,
            // Header values must be Latin-1 and without line breaks to be sent at all.
            headers: { authorization: input.auth.replace(/[^\x20-\x7e]/g, '') },
          });
          await check(`${input.method} /metrics`, res);
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(await fingerprint()).toEqual(before);
  });

  it('the merchant’s pages (install, callback, connect with a key): no 5xx, no leaks, nothing changed', async () => {
    const api = env.stack.api.url;
    const before = await fingerprint();
    const pages: Array<{ method: 'GET' | 'POST'; path: string; fields: string[] }> = [
      { method: 'GET', path: '/oauth/install', fields: ['mode', 'flow'] },
      {
        method: 'GET',
        path: '/oauth/callback',
        fields: [
          'state',
          'code',
          'error',
          'error_description',
          'user_id',
          'account_id',
          'install_signature',
        ],
      },
      { method: 'GET', path: '/connect/api-key', fields: ['x'] },
      { method: 'POST', path: '/connect/api-key', fields: ['apiKey', 'webhookSecret'] },
    ];
    for (const p of pages) {
      await fc.assert(
        fc.asyncProperty(
          badQuery(p.fields),
          fc.constantFrom('form', 'json', 'broken'),
          async (input, encoding) => {
            const qs = queryString(input);
            const url = `${api}${p.path}${p.method === 'GET' && qs ? `?${qs}` : ''}`;
            const res = await fetch(url, {
              method: p.method,
              redirect: 'manual',
              ...(p.method === 'POST'
                ? {
                    headers: {
                      'content-type':
                        encoding === 'json'
                          ? 'application/json'
                          : 'application/x-www-form-urlencoded',
                    },
                    body:
                      encoding === 'json'
                        ? JSON.stringify(input)
                        : encoding === 'form'
                          ? qs
                          : '%E0%A4%A=&apiKey=%ZZ{',
                  }
                : {}),
            });
            await check(`${p.method} ${url.slice(api.length, api.length + 200)}`, res);
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }
    expect(await fingerprint()).toEqual(before);
  });
});
