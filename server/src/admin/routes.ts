// The admin API (support staff). Connection management for now; the rest comes with issue 7.
import express from 'express';
import { z } from 'zod';
import { backfillProgress } from '../backfill/progress.ts';
import { backfillJob, catchUpJob } from '../queues.ts';
import { connectWithApiKey } from '../connections/connect-api-key.ts';
import type { ConnectionDeps } from '../connections/install-deps.ts';
import { pauseTenant, resumeTenant } from '../connections/pause-tenant.ts';
import { rotateWebhookSecret } from '../connections/rotate-webhook-endpoint.ts';
import type { TenantClients } from '../connections/tenant-clients.ts';
import { AppError } from '../errors.ts';
import { authenticateAdmin } from './authenticate-admin.ts';

const ApiKeyBody = z.object({
  apiKey: z.string().min(1).max(300),
  webhookSecret: z.string().max(300).optional(),
});
const RotateBody = z.object({ webhookSecret: z.string().max(300).optional() });
const TenantId = z.uuid();
const PauseBody = z.object({ reason: z.string().min(1).max(500).default('by support') });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new AppError('bad_request', `Invalid ${what}.`, {
      issues: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  return r.data;
}

export function adminRouter(
  deps: ConnectionDeps & { clients: TenantClients; adminTokens: readonly string[] },
) {
  const router = express.Router();
  router.use('/admin', authenticateAdmin(deps.adminTokens), express.json({ limit: '64kb' }));

  router.post('/admin/v1/connections/api-key', async (req, res) => {
    const body = parse(ApiKeyBody, req.body, 'body');
    res.status(201).json(await connectWithApiKey(deps, body));
  });

  router.post('/admin/v1/tenants/:tenantId/webhook-secret/rotate', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    const body = parse(RotateBody, req.body ?? {}, 'body');
    res.json(await rotateWebhookSecret(deps, tenantId, body.webhookSecret));
  });

  router.post('/admin/v1/tenants/:tenantId/pause', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    const body = parse(PauseBody, req.body ?? {}, 'body');
    res.json(await pauseTenant(deps, tenantId, body.reason));
  });

  router.post('/admin/v1/tenants/:tenantId/resume', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    res.json(await resumeTenant(deps, tenantId));
  });

  router.get('/admin/v1/tenants/:tenantId/backfill', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    res.json(await backfillProgress(deps.pool, tenantId));
  });

  router.post('/admin/v1/tenants/:tenantId/catch-up', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    await deps.queues.backfill.add(catchUpJob.name, { tenantId });
    res.status(202).json({ tenantId, queued: true });
  });

  router.post('/admin/v1/tenants/:tenantId/backfill', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    const tenant = await deps.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant) throw new AppError('not_found', `No tenant ${tenantId}.`);
    await deps.queues.backfill.add(backfillJob.name, { tenantId, reason: 'manual' });
    res.status(202).json({ tenantId, queued: true });
  });

  return router;
}
