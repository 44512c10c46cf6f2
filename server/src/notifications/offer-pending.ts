// Offers a destination's pending notifications to the queue again, oldest first — when it is
// enabled after a pause. Job ids make an offer of a notification still queued a no-op.
import type { Pool } from '../db.ts';
import { deliverNotificationJob, type Queues } from '../queues.ts';

export async function offerPendingNotifications(
  deps: { pool: Pool; queues: Pick<Queues, 'notifications'> },
  destinationId: string,
) {
  const { rows } = await deps.pool.query<{ id: string }>(
    `SELECT n.id::text AS id FROM notifications n
      WHERE destination_id = $1 AND status = 'pending' ORDER BY n.id`,
    [destinationId],
  );
  await deps.queues.notifications.addBulk(
    rows.map((r) => ({
      name: deliverNotificationJob.name,
      data: { notificationId: Number(r.id) },
      opts: { jobId: deliverNotificationJob.jobId(Number(r.id)) },
    })),
  );
  return rows.length;
}
