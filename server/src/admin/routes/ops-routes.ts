// Operations: queue counts, admin tokens (admin role), the audit log (admin role).
import {
  AuthFailureList,
  AuthFailureQuery,
  AuditList,
  AuditQuery,
  QueueCounts,
  TokenBody,
  TokenCreated,
  TokenList,
  TokenParams,
  TokenRevoked,
} from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { listAudit } from '../access/audit-log.ts';
import { listAuthFailures } from '../access/auth-failures.ts';
import { queueCounts } from '../queries/queue-counts.ts';
import { route } from './route-registry.ts';
import { createAdminToken, listAdminTokens, revokeAdminToken } from '../access/tokens.ts';

export const opsRoutes = (deps: AdminDeps) => [
  route({
    method: 'get',
    path: '/admin/v1/queues',
    role: 'viewer',
    tag: 'Operations',
    summary: 'Jobs per queue and state (Bull Board at /admin/queues shows the jobs)',
    response: QueueCounts,
    handle: () => queueCounts(deps.queues),
  }),
  route({
    method: 'get',
    path: '/admin/v1/tokens',
    role: 'admin',
    tag: 'Tokens and audit',
    summary: 'Admin tokens (never their secrets)',
    response: TokenList,
    handle: async () => ({ data: await listAdminTokens(deps.pool) }),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tokens',
    role: 'admin',
    tag: 'Tokens and audit',
    summary: 'Create a token; the token is in this answer only',
    body: TokenBody,
    status: 201,
    response: TokenCreated,
    handle: ({ body, actor }) =>
      createAdminToken(deps.pool, {
        name: body.name,
        role: body.role,
        expiresInDays: body.expires_in_days,
        createdBy: actor.name,
      }),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tokens/:tokenId/revoke',
    role: 'admin',
    tag: 'Tokens and audit',
    summary: 'Revoke a token (effective at once)',
    params: TokenParams,
    response: TokenRevoked,
    handle: ({ params }) => revokeAdminToken(deps.pool, params.tokenId),
  }),
  route({
    method: 'get',
    path: '/admin/v1/audit',
    role: 'admin',
    tag: 'Tokens and audit',
    summary:
      'The audit log, newest first: every mutating call with actor, role, target, parameters and result',
    query: AuditQuery,
    response: AuditList,
    handle: async ({ query, read }) => listAudit(await read(), { ...query, before: query.cursor }),
  }),
  route({
    method: 'get',
    path: '/admin/v1/auth-failures',
    role: 'admin',
    tag: 'Tokens and audit',
    summary:
      'Failed admin authentications, newest first: address, route, and a 12-hex prefix of the presented token’s SHA-256',
    query: AuthFailureQuery,
    response: AuthFailureList,
    handle: async ({ query, read }) => listAuthFailures(await read(), query),
  }),
];
