// "Send a test" from the settings: one signed DISPUTE.STATUS sample, marked `test: true`, posted
// now (not queued, not retried) so the merchant sees at once whether their receiver answers 2xx
// and verifies the signature. The destination is checked again here (post-notification.ts).
import type { TestDelivery } from '../app-api/contract.ts';
import { AppError } from '../errors.ts';
import { postNotification, type PostDeps } from './post-notification.ts';

export async function sendTestNotification(
  deps: PostDeps,
  tenant: { id: string; stripeAccountId: string },
  destinationId: string,
): Promise<TestDelivery> {
  const destination = await deps.prisma.notificationDestination.findFirst({
    where: { id: destinationId, tenantId: tenant.id },
  });
  if (!destination) throw new AppError('not_found', `No destination ${destinationId}.`);
  const now = new Date();
  const body = JSON.stringify({
    id: `test_${now.getTime()}`,
    test: true,
    version: '1',
    eventType: 'DISPUTE.STATUS',
    type: 'DISPUTE',
    status: 'OPEN',
    accountId: tenant.stripeAccountId,
    disputeId: 'du_test_notification',
    transactionId: 'pi_test_notification',
    orderId: 'ORDER-TEST',
    paymentMethod: { brand: 'visa', last4: '4242' },
    processor: 'STRIPE',
    receivedAt: now.toISOString(),
    challengeRequiredBy: new Date(now.getTime() + 7 * 86400_000).toISOString(),
    reason: 'FRAUD',
    reasonCode: '10.4',
    processorReason: 'fraudulent',
    amount: 1000,
    currency: 'USD',
  });
  const started = performance.now();
  const result = await postNotification(
    deps,
    { url: destination.url, tenantId: tenant.id, destinationId },
    body,
  );
  // A refused destination (internal address) gets the refusal and nothing else: no status, no
  // timing, so the test cannot be used to probe what answers inside our network.
  return {
    delivered: result.ok,
    httpStatus: result.refused ? null : result.httpStatus,
    error: result.error,
    durationMs: result.refused ? null : Math.round(performance.now() - started),
  };
}
