// A tenant's dispute notifications for support staff (newest first, with a cursor), and
// redelivering a dead-lettered one: it goes back to pending with its attempts reset and a new job.
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { deliverNotificationJob, type Queues } from '../queues.ts';

export async function listNotifications(
  pool: Pool,
  tenantId: string,
  q: { status?: string; cursor?: number; limit: number },
) {
  const { rows } = await pool.query<{
    id: string;
    destination_id: string;
    dispute_id: string;
    status: 'pending' | 'delivered' | 'dead';
    attempts: number;
    last_error: string | null;
    payload: Record<string, unknown>;
    created_at: Date;
    delivered_at: Date | null;
  }>(
    `SELECT id::text, destination_id, dispute_id, status, attempts, last_error, payload, created_at, delivered_at
       FROM notifications n
      WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR n.id < $3)
      ORDER BY n.id DESC LIMIT $4`, // the bigint, not the selected text form
    [tenantId, q.status ?? null, q.cursor ?? null, q.limit + 1],
  );
  return {
    data: rows.slice(0, q.limit).map((n) => ({
      id: n.id,
      destinationId: n.destination_id,
      disputeId: n.dispute_id,
      status: n.status,
      attempts: n.attempts,
      lastError: n.last_error,
      payload: n.payload,
      createdAt: n.created_at.toISOString(),
      deliveredAt: n.delivered_at?.toISOString() ?? null,
    })),
    next_cursor: rows.length > q.limit ? rows[q.limit - 1]!.id : null,
  };
}

export async function redeliverNotification(
  deps: { pool: Pool; queues: Pick<Queues, 'notifications'> },
  tenantId: string,
  id: number,
) {
  const { rowCount } = await deps.pool.query(
    `UPDATE notifications SET status = 'pending', attempts = 0, last_error = NULL
      WHERE id = $1 AND tenant_id = $2 AND status = 'dead'`,
    [id, tenantId],
  );
  if (!rowCount) {
    throw new AppError('conflict', `Notification ${id} of this tenant is not dead-lettered.`);
  }
  // A new job id: the dead one's job is kept as failed for a week.
  await deps.queues.notifications.add(
    deliverNotificationJob.name,
    { notificationId: id },
    { jobId: `${deliverNotificationJob.jobId(id)}-r${Date.now()}` },
  );
  return { id: String(id), status: 'pending' as const };
}
