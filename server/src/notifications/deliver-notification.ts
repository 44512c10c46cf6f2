// Delivers dispute notifications. A job names one notification, but delivers, in id order, every
// pending notification of its destination and dispute up to it — under an advisory lock for that
// pair, so deliveries for one dispute keep their order across workers. 2xx within the timeout is
// success; anything else is recorded and retried by BullMQ with exponential backoff; when the
// attempts run out the notification is dead-lettered (visible, redeliverable) and the next one goes.
import type { Job } from 'bullmq';
import type { Keyring } from '../crypto/keyring.ts';
import type { Pool, PrismaClient } from '../db.ts';
import type { Logger } from '../logger.ts';
import { deliverNotificationJob } from '../queues.ts';
import { postNotification } from './post-notification.ts';

export interface DeliveryDeps {
  pool: Pool;
  prisma: PrismaClient;
  keyring: Keyring;
  logger: Logger;
  settings: { timeoutMs: number; maxAttempts: number; allowPrivateAddresses: boolean };
}

interface Row {
  id: string;
  tenant_id: string;
  destination_id: string;
  dispute_id: string;
  payload: Record<string, unknown>;
  url: string;
  enabled: boolean;
}

export async function deliverNotification(
  deps: DeliveryDeps,
  job: Pick<Job, 'data' | 'attemptsMade'>,
) {
  const { notificationId } = deliverNotificationJob.payload.parse(job.data);
  const final = job.attemptsMade + 1 >= deps.settings.maxAttempts;
  const client = await deps.pool.connect();
  let delivered = 0;
  try {
    await client.query('BEGIN');
    const target = await client.query<{ destination_id: string; dispute_id: string }>(
      'SELECT destination_id, dispute_id FROM notifications WHERE id = $1',
      [notificationId],
    );
    if (!target.rows[0]) {
      await client.query('COMMIT');
      return { delivered };
    }
    const { destination_id, dispute_id } = target.rows[0];
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `notify:${destination_id}:${dispute_id}`,
    ]);
    for (;;) {
      const { rows } = await client.query<Row>(
        `SELECT n.id::text AS id, n.tenant_id, n.destination_id, n.dispute_id, n.payload, d.url, d.enabled
           FROM notifications n JOIN notification_destinations d ON d.id = n.destination_id
          WHERE n.destination_id = $1 AND n.dispute_id = $2 AND n.status = 'pending' AND n.id <= $3
          ORDER BY n.id LIMIT 1`,
        [destination_id, dispute_id, notificationId],
      );
      const head = rows[0];
      if (!head || !head.enabled) break;
      const { error } = await postNotification(
        deps,
        { url: head.url, tenantId: head.tenant_id, destinationId: head.destination_id },
        JSON.stringify({ id: head.id, ...head.payload }),
      );
      if (error === null) {
        await client.query(
          `UPDATE notifications SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
          [head.id],
        );
        delivered++;
        continue;
      }
      await client.query(
        `UPDATE notifications SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'dead' ELSE status END WHERE id = $1`,
        [head.id, error, final],
      );
      if (final) {
        deps.logger.warn({ notificationId: head.id, error }, 'notification dead-lettered');
        continue;
      }
      await client.query('COMMIT');
      throw new Error(`notification ${head.id}: ${error}`);
    }
    await client.query('COMMIT');
    return { delivered };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
