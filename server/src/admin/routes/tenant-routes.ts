// Tenants: search, one tenant's health, pause / resume / disconnect, purge (admin, confirmed),
// connecting a restricted key, rotating a restricted-key tenant's webhook secret.
import { connectWithApiKey } from '../../connections/api-key/connect-api-key.ts';
import { disconnectTenant } from '../../connections/lifecycle/disconnect-tenant.ts';
import { pauseTenant, resumeTenant } from '../../connections/lifecycle/pause-tenant.ts';
import { purgeTenant } from '../../connections/lifecycle/purge-tenants.ts';
import { rotateWebhookSecret } from '../../connections/api-key/rotate-webhook-endpoint.ts';
import { AppError } from '../../errors.ts';
import {
  Anything,
  ApiKeyBody,
  PurgeBody,
  ReasonBody,
  RotateBody,
  TenantHealth,
  TenantList,
  TenantParams,
  TenantQuery,
  TenantStateChange,
} from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { listTenants } from '../queries/list-tenants.ts';
import { route } from './route-registry.ts';
import { tenantHealth } from '../queries/tenant-health.ts';

const tag = 'Tenants';

export const tenantRoutes = (deps: AdminDeps) => [
  route({
    method: 'get',
    path: '/admin/v1/tenants',
    role: 'viewer',
    tag,
    summary:
      'Search tenants by account id, tenant id or name; filter by status and connection type',
    query: TenantQuery,
    response: TenantList,
    handle: async ({ query, read }) => listTenants(await read(), query),
  }),
  route({
    method: 'get',
    path: '/admin/v1/tenants/:tenantId',
    role: 'viewer',
    tag,
    summary:
      'A tenant with its health: events, failures, signature failures, backfill, reports, queue lag',
    params: TenantParams,
    response: TenantHealth,
    handle: async ({ params, read }) => tenantHealth(await read(), params.tenantId),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/pause',
    role: 'operator',
    tag,
    summary: 'Pause a tenant: its events are kept, not processed; its backfill waits',
    params: TenantParams,
    body: ReasonBody,
    response: TenantStateChange,
    handle: ({ params, body }) => pauseTenant(deps, params.tenantId, body.reason),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/resume',
    role: 'operator',
    tag,
    summary: 'Resume a paused tenant: kept events are processed, the backfill continues',
    params: TenantParams,
    response: TenantStateChange,
    handle: ({ params }) => resumeTenant(deps, params.tenantId),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/disconnect',
    role: 'operator',
    tag,
    summary: 'Disconnect a tenant: access revoked at Stripe, data kept until the retention ends',
    params: TenantParams,
    body: ReasonBody,
    response: TenantStateChange,
    handle: ({ params, body, actor }) =>
      disconnectTenant(deps, params.tenantId, `${body.reason} (${actor.name})`),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/purge',
    role: 'admin',
    tag,
    summary: 'Delete a disconnected tenant’s data now (confirm with its id)',
    params: TenantParams,
    body: PurgeBody,
    response: TenantStateChange,
    handle: ({ params, body }) => {
      if (body.confirm !== params.tenantId) {
        throw new AppError('bad_request', 'confirm must repeat the tenant id.', {
          reason: 'confirmation_mismatch',
        });
      }
      return purgeTenant(deps, params.tenantId);
    },
  }),
  route({
    method: 'post',
    path: '/admin/v1/connections/api-key',
    role: 'operator',
    tag,
    summary: 'Connect a merchant with a restricted API key (permissions checked, endpoint created)',
    body: ApiKeyBody,
    status: 201,
    response: Anything,
    handle: ({ body }) => connectWithApiKey(deps, body),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/webhook-secret/rotate',
    role: 'operator',
    tag,
    summary: 'Rotate a restricted-key tenant’s webhook secret (the old one stays valid for 24 h)',
    params: TenantParams,
    body: RotateBody,
    response: Anything,
    handle: ({ params, body }) => rotateWebhookSecret(deps, params.tenantId, body.webhookSecret),
  }),
];
