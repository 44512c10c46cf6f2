// Queues the delivery jobs of outbox rows committed by the caller. A lost add is not lost work:
// maintenance re-offers pending notifications; so a failure is logged, not thrown.
import type { Logger } from '../logger.ts';
import { deliverNotificationJob, type Queues } from '../queues.ts';

export async function offerDeliveries(
  queues: Pick<Queues, 'notifications'>,
  notificationIds: readonly string[],
  logger: Logger,
) {
  for (const id of notificationIds) {
    await queues.notifications
      .add(
        deliverNotificationJob.name,
        { notificationId: Number(id) },
        { jobId: deliverNotificationJob.jobId(Number(id)) },
      )
      .catch((err: unknown) =>
        logger.warn({ err, id }, 'notification not queued; maintenance re-offers it'),
      );
  }
}
