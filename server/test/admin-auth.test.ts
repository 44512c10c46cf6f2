// The admin API's gate: every documented route refuses a missing or bad token (401) and a weaker
// role (403) and lets the required role through; tokens are hashed, expire and revoke at once;
// calls are rate limited per token and failed sign-ins per address; mutating calls (refused ones
// too) are audited with secrets redacted; the OpenAPI document covers every mounted route and is
// valid OpenAPI 3.1; Bull Board sits behind the same gate.
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditList, TokenCreated, TokenList } from '../src/admin/contract.ts';
import { adminRouter } from '../src/admin/routes/admin-router.ts';
import { runAdminCommand } from '../src/admin/access/token-command.ts';
import { adminCall } from './support/admin-client.ts';
import { ADMIN_TOKEN } from './support/emulator.ts';
import { routerDeps, useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';
import { waitFor } from './support/poll.ts';

const env = useStack({
  worker: false,
  env: () => ({
    TRUST_PROXY: 'true',
    ADMIN_RATE_LIMIT_PER_MINUTE: '150',
    ADMIN_API_TOKENS: ADMIN_TOKEN,
  }),
});
const api = () => env.stack.api.url;

interface Operation {
  'x-required-role': 'viewer' | 'operator' | 'admin';
  security: unknown[];
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

let addressCounter = 0;
/** A client address of its own, so failed sign-ins of one test do not block another. */
const freshAddress = () => ({
  'x-forwarded-for': `10.77.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`,
});

const tokens = {} as Record<'viewer' | 'operator' | 'admin', string>;
beforeAll(async () => {
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const created = await adminCall(api(), 'POST', 'tokens', {
      body: { name: `${role} for tests`, role, expires_in_days: 1 },
    });
    expect(created.status).toBe(201);
    tokens[role] = TokenCreated.parse(created.body).token;
  }
});

/** A concrete URL for a documented path: ids that are well-formed but name nothing. */
const concrete = (path: string) =>
  path
    .replace(
      /\{(tenantId|tokenId|destinationId|reportRunId)\}/g,
      '00000000-0000-4000-8000-000000000000',
    )
    .replace(/\{(eventId|notificationId)\}/g, '999999999');

describe('every documented route', () => {
  it('refuses no token and bad tokens (401), weaker roles (403), and admits its role', async () => {
    const doc = (await adminCall<OpenApi>(api(), 'GET', 'openapi.json', { token: tokens.viewer }))
      .body;
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        path,
        method: method.toUpperCase() as 'GET' | 'POST',
        op,
      })),
    );
    expect(ops.length).toBeGreaterThan(30);
    const order = ['viewer', 'operator', 'admin'] as const;
    for (const { path, method, op } of ops) {
      const url = concrete(path);
      const what = `${method} ${path}`;
      const call = (token: string | null, body?: unknown) =>
        adminCall(api(), method, url, {
          token,
          headers: freshAddress(),
          ...(body ? { body } : {}),
        });
      expect((await call(null)).status, `${what} without a token`).toBe(401);
      expect(
        (await call('ddadm_not-a-real-token-000000000000000000000')).status,
        `${what} bad token`,
      ).toBe(401);
      const needed = order.indexOf(op['x-required-role']);
      for (const [i, role] of order.entries()) {
        // Bodies that parse where a body is required, so the role check is what decides.
        const res = await call(tokens[role], method === 'POST' ? {} : undefined);
        if (i < needed) {
          expect(res.status, `${what} as ${role}`).toBe(403);
          expect((res.body as { error: { code: string } }).error.code).toBe('forbidden');
        } else {
          expect([401, 403], `${what} as ${role} (${res.status})`).not.toContain(res.status);
        }
      }
    }
  });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 and names every route the admin router mounts', async () => {
    const res = await adminCall<OpenApi>(api(), 'GET', 'openapi.json', { token: tokens.viewer });
    expect(res.body.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(
      res.body as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    // The router as main.ts builds it, inspected layer by layer.
    const deps = routerDeps(env.stack);
    try {
      const router = adminRouter(deps) as unknown as {
        stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
      };
      const mounted = router.stack
        .filter((l) => l.route)
        .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m} ${l.route!.path}`));
      const documented = Object.entries(res.body.paths).flatMap(([p, methods]) =>
        Object.keys(methods).map((m) => `${m} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      expect(mounted.length).toBeGreaterThan(30);
      expect(mounted.sort()).toEqual(documented.sort());
    } finally {
      deps.redis.disconnect();
    }
  });
});

describe('tokens', () => {
  it('are shown once, listed without their secret, revoked at once, and expire', async () => {
    const created = TokenCreated.parse(
      (
        await adminCall(api(), 'POST', 'tokens', {
          token: tokens.admin,
          body: { name: 'Grace', role: 'viewer' },
        })
      ).body,
    );
    expect(created.token).toMatch(/^ddadm_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(89 * 86400_000);
    const list = await adminCall(api(), 'GET', 'tokens', { token: tokens.admin });
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(TokenList.parse(list.body).data.find((t) => t.id === created.id)?.hint).toBe(
      `…${created.token.slice(-4)}`,
    );
    const { rows } = await env.stack.db.pool.query<{ token_hash: string }>(
      'SELECT token_hash FROM admin_tokens WHERE id = $1',
      [created.id],
    );
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(created.token);

    expect((await adminCall(api(), 'GET', 'tenants', { token: created.token })).status).toBe(200);
    const used = TokenList.parse(
      (await adminCall(api(), 'GET', 'tokens', { token: tokens.admin })).body,
    );
    expect(used.data.find((t) => t.id === created.id)?.lastUsedAt).not.toBeNull();
    expect(
      (await adminCall(api(), 'POST', `tokens/${created.id}/revoke`, { token: tokens.admin }))
        .status,
    ).toBe(200);
    const revoked = await adminCall(api(), 'GET', 'tenants', {
      token: created.token,
      headers: freshAddress(),
    });
    expect(revoked.status).toBe(401);
    expect((revoked.body as { error: { message: string } }).error.message).toMatch(
      /unknown, expired or revoked/,
    );

    const expiring = TokenCreated.parse(
      (
        await adminCall(api(), 'POST', 'tokens', {
          token: tokens.admin,
          body: { name: 'Temp', role: 'viewer' },
        })
      ).body,
    );
    await env.stack.db.pool.query(
      `UPDATE admin_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expiring.id],
    );
    expect(
      (await adminCall(api(), 'GET', 'tenants', { token: expiring.token, headers: freshAddress() }))
        .status,
    ).toBe(401);
  });

  it('are made and revoked by the command line, which prints the token once and audits it', async () => {
    const out = await runAdminCommand(env.stack.db.pool, [
      'token',
      'create',
      '--role',
      'operator',
      '--name',
      'Linus',
    ]);
    const token = out.find((l) => l.trim().startsWith('ddadm_'))!.trim();
    expect(
      (await adminCall(api(), 'POST', `tenants/${crypto.randomUUID()}/resume`, { token })).status,
    ).toBe(404);
    const id = /token ([0-9a-f-]{36})/.exec(out[0]!)![1]!;
    expect((await runAdminCommand(env.stack.db.pool, ['token', 'list'])).join('\n')).toContain(id);
    await runAdminCommand(env.stack.db.pool, ['token', 'revoke', id]);
    expect(
      (await adminCall(api(), 'GET', 'tenants', { token, headers: freshAddress() })).status,
    ).toBe(401);
    const audit = AuditList.parse(
      (await adminCall(api(), 'GET', `audit?target=${id}`, { token: tokens.admin })).body,
    );
    expect(audit.data.map((a) => a.action).sort()).toEqual([
      'CLI token create',
      'CLI token revoke',
    ]);
    await expect(
      runAdminCommand(env.stack.db.pool, ['token', 'create', '--role', 'root', '--name', 'x']),
    ).rejects.toThrow(/--role must be one of/);
  });
});

describe('rate limits', () => {
  // The limits count per clock minute (fixed windows): a test that crossed into the next minute
  // half-way would see its count restart (CI, 2026-12-03: 200 where 429 was due). Each test starts
  // with at least 10 s of its minute left; its calls take one or two.
  const awayFromMinuteEdge = () =>
    waitFor(() => Date.now() % 60_000 < 50_000, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'the start of a minute',
    });

  it('answer 429 with Retry-After past the calls per token per minute', async () => {
    await awayFromMinuteEdge();
    const t = TokenCreated.parse(
      (
        await adminCall(api(), 'POST', 'tokens', {
          token: tokens.admin,
          body: { name: 'Busy', role: 'viewer' },
        })
      ).body,
    );
    let last = await adminCall(api(), 'GET', 'queues', { token: t.token });
    for (let i = 0; i < 150 && last.status === 200; i++) {
      last = await adminCall(api(), 'GET', 'queues', { token: t.token });
    }
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another token is not affected.
    expect((await adminCall(api(), 'GET', 'queues', { token: tokens.viewer })).status).toBe(200);
  });

  it('refuse an address’s guesses after too many failures, but never lock out a valid token', async () => {
    await awayFromMinuteEdge();
    const headers = { 'x-forwarded-for': '10.99.99.99', 'user-agent': 'guesser/1' };
    let last = await adminCall(api(), 'GET', 'tenants', { token: 'ddadm_guess', headers });
    let failures = 1;
    for (let i = 0; i < 40 && last.status === 401; i++, failures++) {
      last = await adminCall(api(), 'GET', 'tenants', { token: `ddadm_guess${i}`, headers });
    }
    expect(last.status).toBe(429);
    expect(
      (await adminCall(api(), 'GET', 'tenants', { token: 'ddadm_more', headers })).status,
    ).toBe(429);
    // The same address (behind a proxy: everyone) with a valid token gets in.
    expect(
      (await adminCall(api(), 'GET', 'tenants', { token: tokens.viewer, headers })).status,
    ).toBe(200);
    // Admins see the failures with the address; the rows stop at the per-minute limit.
    const seen = await adminCall<{
      data: Array<{
        ip: string;
        reason: string;
        tokenHash: string;
        path: string;
        userAgent: string;
      }>;
    }>(api(), 'GET', 'auth-failures?ip=10.99.99.99&limit=200', { token: tokens.admin });
    expect(seen.status).toBe(200);
    expect(seen.body.data.length).toBe(env.stack.config.admin.rateLimits.authFailuresPerMinute);
    expect(failures).toBeGreaterThan(seen.body.data.length);
    expect(seen.body.data[0]).toMatchObject({
      ip: '10.99.99.99',
      reason: 'unknown_token',
      path: '/admin/v1/tenants',
      userAgent: 'guesser/1',
    });
    expect(seen.body.data[0]!.tokenHash).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(seen.body)).not.toContain('ddadm_guess');
    expect(
      (await adminCall(api(), 'GET', 'auth-failures', { token: tokens.operator })).status,
    ).toBe(403);
  });
});

describe('the audit log', () => {
  it('records mutating calls and refusals with actor, role, target, redacted parameters and result; admins only', async () => {
    const tenantId = crypto.randomUUID();
    await env.stack.db.pool.query(
      `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, connected_at, updated_at)
       VALUES ($1, $2, false, 'active', 'oauth', now(), now())`,
      [tenantId, stripeId('acct')],
    );
    expect(
      (
        await adminCall(api(), 'POST', `tenants/${tenantId}/pause`, {
          token: tokens.operator,
          body: { reason: 'fraud review' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await adminCall(api(), 'POST', `tenants/${tenantId}/purge`, {
          token: tokens.operator,
          body: { confirm: tenantId },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await adminCall(api(), 'POST', 'connections/api-key', {
          token: tokens.operator,
          body: { apiKey: 'rk_test_secretvalue123' },
        })
      ).status,
    ).toBe(400);
    expect((await adminCall(api(), 'GET', 'audit', { token: tokens.operator })).status).toBe(403);

    const audit = AuditList.parse(
      (await adminCall(api(), 'GET', `audit?target=${tenantId}`, { token: tokens.admin })).body,
    );
    expect(audit.data).toEqual([
      expect.objectContaining({
        action: 'POST /admin/v1/tenants/:tenantId/purge',
        actor: 'operator for tests',
        role: 'operator',
        status: 403,
        result: { error: 'forbidden' },
      }),
      expect.objectContaining({
        action: 'POST /admin/v1/tenants/:tenantId/pause',
        actor: 'operator for tests',
        role: 'operator',
        target: tenantId,
        status: 200,
      }),
    ]);
    expect(audit.data[1]!.params).toMatchObject({ body: { reason: 'fraud review' } });
    const keyCall = AuditList.parse(
      (
        await adminCall(api(), 'GET', `audit?action=${encodeURIComponent('connections/api-key')}`, {
          token: tokens.admin,
        })
      ).body,
    ).data[0]!;
    expect(JSON.stringify(keyCall.params)).not.toContain('rk_test_secretvalue123');
    expect(keyCall.params).toMatchObject({ body: { apiKey: '[redacted]' } });
    // Creating a token audits the call without the token itself.
    const tokenAudit = AuditList.parse(
      (
        await adminCall(api(), 'GET', 'audit?action=POST%20%2Fadmin%2Fv1%2Ftokens', {
          token: tokens.admin,
        })
      ).body,
    );
    expect(tokenAudit.data.length).toBeGreaterThan(0);
    for (const entry of tokenAudit.data)
      expect(JSON.stringify(entry.result)).not.toMatch(/ddadm_[A-Za-z0-9_-]{43}/);
  });
});

describe('Bull Board', () => {
  it('is read-only below admin; an admin’s writes are audited', async () => {
    const board = (token: string, method: string, path: string) =>
      fetch(`${api()}/admin/queues/api/queues${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...freshAddress() },
      });
    for (const role of ['viewer', 'operator'] as const) {
      const list = await board(tokens[role], 'GET', '');
      expect(list.status, role).toBe(200);
      const body = (await list.json()) as { queues: Array<{ readOnlyMode: boolean }> };
      expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
      for (const [method, path] of [
        ['PUT', '/events/clean/completed'],
        ['PUT', '/events/retry/failed'],
        ['PUT', '/events/promote'],
        ['POST', '/events/add'],
        ['PUT', '/events/obliterate'],
        ['PUT', '/events/pause'],
      ] as const) {
        expect((await board(tokens[role], method, path)).status, `${role} ${path}`).toBe(403);
      }
    }
    const before = await env.stack.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM admin_audit WHERE action LIKE '% /admin/queues/%'",
    );
    expect(before.rows[0]!.n).toBe(0);
    const adminList = (await (await board(tokens.admin, 'GET', '')).json()) as {
      queues: Array<{ readOnlyMode: boolean }>;
    };
    expect(adminList.queues.some((q) => q.readOnlyMode)).toBe(false);
    expect((await board(tokens.admin, 'PUT', '/events/clean/completed')).status).toBe(200);
    const audited = await waitFor(async () => {
      const { rows } = await env.stack.db.pool.query<{
        action: string;
        role: string;
        target: string;
        status: number | null;
      }>(
        "SELECT action, role, target, status FROM admin_audit WHERE action LIKE '% /admin/queues/%'",
      );
      return rows[0]?.status ? rows : null;
    });
    expect(audited).toEqual([
      {
        action: 'PUT /admin/queues/api/queues/events/clean/completed',
        role: 'admin',
        target: 'events',
        status: 200,
      },
    ]);
  });

  it('a browser signs in with Basic auth', async () => {
    const none = await adminCall(api(), 'GET', '/admin/queues', {
      token: null,
      headers: freshAddress(),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await adminCall(api(), 'GET', '/admin/queues', { token: tokens.viewer })).status).toBe(
      200,
    );
    const page = await adminCall<string>(api(), 'GET', '/admin/queues', { token: tokens.operator });
    expect(page.status).toBe(200);
    expect(page.body).toContain('DisputeDesk queues');
    const basic = Buffer.from(`anyone:${tokens.operator}`).toString('base64');
    const viaBasic = await fetch(`${api()}/admin/queues/api/queues`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(viaBasic.status).toBe(200);
    const { queues } = (await viaBasic.json()) as { queues: Array<{ name: string }> };
    expect(queues.map((q) => q.name).sort()).toEqual([
      'backfill',
      'events',
      'maintenance',
      'notifications',
      'reports',
    ]);
  });
});
