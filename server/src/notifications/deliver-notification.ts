// Delivers one dispute notification. Order per destination and dispute: only the oldest pending
// notification of that pair is sent; a later one puts its job back as delayed (no attempt spent)
// until those ahead are delivered or dead-lettered. Nothing is held open while the receiver is
// called. 2xx within the timeout is success; anything else is recorded and retried by BullMQ
// with exponential backoff; when the attempts run out the notification is dead-lettered
// (visible, redeliverable) and the next one of the pair goes.
// Idempotent: a job for a notification that is no longer pending does nothing.
import { DelayedError, type Job } from 'bullmq';
import type { Keyring } from '../crypto/keyring.ts';
import type { Pool, PrismaClient } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { deliverNotificationJob } from '../queues.ts';
import { postNotification } from './post-notification.ts';

export interface DeliveryDeps {
  pool: Pool;
  prisma: PrismaClient;
  keyring: Keyring;
  logger: Logger;
  settings: {
    timeoutMs: number;
    maxAttempts: number;
    backoffMs: number;
    allowPrivateAddresses: boolean;
  };
  metrics?: Pick<Metrics, 'notifications'>;
}

interface Row {
  id: string;
  tenant_id: string;
  destination_id: string;
  dispute_id: string;
  status: string;
  payload: Record<string, unknown>;
  url: string;
  enabled: boolean;
}

const MAX_WAIT_MS = 10 * 60 * 1000;

export async function deliverNotification(
  deps: DeliveryDeps,
  job: Pick<Job, 'data' | 'attemptsMade' | 'moveToDelayed'>,
  token?: string,
): Promise<{ delivered: boolean; reason?: string }> {
  const { notificationId } = deliverNotificationJob.payload.parse(job.data);
  const { rows } = await deps.pool.query<Row>(
    `SELECT n.id::text AS id, n.tenant_id, n.destination_id, n.dispute_id, n.status, n.payload, d.url, d.enabled
       FROM notifications n JOIN notification_destinations d ON d.id = n.destination_id
      WHERE n.id = $1`,
    [notificationId],
  );
  const n = rows[0];
  if (!n || n.status !== 'pending') return { delivered: false, reason: 'not pending' };
  // Disabled: it stays pending; enabling the destination offers it again.
  if (!n.enabled) return { delivered: false, reason: 'destination disabled' };
  const ahead = await deps.pool.query<{ attempts: number }>(
    `SELECT attempts FROM notifications
      WHERE destination_id = $1 AND dispute_id = $2 AND status = 'pending' AND id < $3
      ORDER BY id LIMIT 1`,
    [n.destination_id, n.dispute_id, notificationId],
  );
  if (ahead.rows[0]) {
    const wait = Math.min(deps.settings.backoffMs * 2 ** ahead.rows[0].attempts, MAX_WAIT_MS);
    await job.moveToDelayed(Date.now() + wait, token);
    throw new DelayedError();
  }
  const result = await postNotification(
    deps,
    { url: n.url, tenantId: n.tenant_id, destinationId: n.destination_id },
    JSON.stringify({ id: n.id, ...n.payload }),
  );
  if (result.ok) {
    await deps.pool.query(
      `UPDATE notifications SET status = 'delivered', delivered_at = now(), attempts = attempts + 1,
              last_error = NULL WHERE id = $1 AND status = 'pending'`,
      [notificationId],
    );
    deps.metrics?.notifications.inc({ outcome: 'delivered' });
    return { delivered: true };
  }
  const final = job.attemptsMade + 1 >= deps.settings.maxAttempts;
  await deps.pool.query(
    `UPDATE notifications SET attempts = attempts + 1, last_error = $2,
            status = CASE WHEN $3 THEN 'dead' ELSE status END
      WHERE id = $1 AND status = 'pending'`,
    [notificationId, result.error, final],
  );
  deps.metrics?.notifications.inc({ outcome: final ? 'dead' : 'retry' });
  if (final) {
    deps.logger.warn({ notificationId, error: result.error }, 'notification dead-lettered');
    return { delivered: false, reason: 'dead-lettered' };
  }
  throw new Error(`notification ${notificationId}: ${result.error}`);
}
