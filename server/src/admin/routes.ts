// The admin API (support staff). Connection management for now; the rest comes with issue 7.
import express from 'express';
import { z } from 'zod';
import { parse } from '../http/parse.ts';
import { backfillProgress } from '../backfill/progress.ts';
import { backfillJob, catchUpJob, deliverNotificationJob } from '../queues.ts';
import {
  createDestination,
  listDestinations,
  rotateDestinationSecret,
  setDestinationEnabled,
} from '../notifications/destinations.ts';
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
const DestinationBody = z.object({ url: z.string().min(1).max(2000) });
const EnabledBody = z.object({ enabled: z.boolean() });
const NotificationsQuery = z.object({
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const RotateBody = z.object({ webhookSecret: z.string().max(300).optional() });
const TenantId = z.uuid();
const PauseBody = z.object({ reason: z.string().min(1).max(500).default('by support') });

export function adminRouter(
  deps: ConnectionDeps & {
    clients: TenantClients;
    adminTokens: readonly string[];
    notifications: { allowPrivateAddresses: boolean };
  },
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

  const destinationDeps = {
    prisma: deps.prisma,
    keyring: deps.keyring,
    allowPrivateAddresses: deps.notifications.allowPrivateAddresses,
  };

  router.post('/admin/v1/tenants/:tenantId/notification-destinations', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    const body = parse(DestinationBody, req.body, 'body');
    if (!(await deps.prisma.tenant.findUnique({ where: { id: tenantId } }))) {
      throw new AppError('not_found', `No tenant ${tenantId}.`);
    }
    res.status(201).json(await createDestination(destinationDeps, tenantId, body.url));
  });

  router.get('/admin/v1/tenants/:tenantId/notification-destinations', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    res.json({ data: await listDestinations(deps, tenantId) });
  });

  router.post(
    '/admin/v1/tenants/:tenantId/notification-destinations/:destinationId',
    async (req, res) => {
      const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
      const destinationId = parse(TenantId, req.params.destinationId, 'destination id');
      const body = parse(EnabledBody, req.body, 'body');
      res.json(await setDestinationEnabled(deps, tenantId, destinationId, body.enabled));
    },
  );

  router.post(
    '/admin/v1/tenants/:tenantId/notification-destinations/:destinationId/rotate-secret',
    async (req, res) => {
      const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
      const destinationId = parse(TenantId, req.params.destinationId, 'destination id');
      res.json(await rotateDestinationSecret(destinationDeps, tenantId, destinationId));
    },
  );

  router.get('/admin/v1/tenants/:tenantId/notifications', async (req, res) => {
    const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
    const q = parse(NotificationsQuery, req.query, 'query');
    const { rows } = await deps.pool.query(
      `SELECT id::text AS id, destination_id AS "destinationId", dispute_id AS "disputeId", status, attempts,
              last_error AS "lastError", payload, created_at AS "createdAt", delivered_at AS "deliveredAt"
         FROM notifications
        WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [tenantId, q.status ?? null, q.before ?? null, q.limit],
    );
    res.json({
      data: rows,
      nextBefore: rows.length === q.limit ? (rows.at(-1) as { id: string }).id : null,
    });
  });

  router.post(
    '/admin/v1/tenants/:tenantId/notifications/:notificationId/redeliver',
    async (req, res) => {
      const tenantId = parse(TenantId, req.params.tenantId, 'tenant id');
      const id = parse(
        z.coerce.number().int().positive(),
        req.params.notificationId,
        'notification id',
      );
      const { rowCount } = await deps.pool.query(
        `UPDATE notifications SET status = 'pending', attempts = 0, last_error = NULL
        WHERE id = $1 AND tenant_id = $2 AND status = 'dead'`,
        [id, tenantId],
      );
      if (!rowCount)
        throw new AppError('conflict', `Notification ${id} of this tenant is not dead-lettered.`);
      await deps.queues.notifications.add(
        deliverNotificationJob.name,
        { notificationId: id },
        { jobId: `${deliverNotificationJob.jobId(id)}-r${Date.now()}` },
      );
      res.status(202).json({ id, status: 'pending' });
    },
  );

  return router;
}
