// The merchant's webhook endpoint, made through the API with the merchant's key: the events the
// product processes, its signing secret stored encrypted; the one it replaces is deleted a day
// later (its secret still verifies meanwhile). A key that may not create endpoints gets the
// steps to make one in the Dashboard and paste its secret instead.
import Stripe from 'stripe';
import { HANDLED_EVENT_TYPES } from '../../events/dispatch-table.ts';
import { storeWebhookSecret } from '../credentials/webhook-secrets.ts';
import type { ConnectionDeps } from '../install-deps.ts';
import { patiently } from './patiently.ts';

/** Creates the merchant's endpoint (the events the product processes) and stores its secret. */
export async function createEndpoint(
  deps: ConnectionDeps,
  stripe: Stripe,
  tenantId: string,
  url: string,
): Promise<{ status: 'created' | 'secret_needed'; url: string; hint?: string; message?: string }> {
  try {
    const endpoint = await patiently(() =>
      stripe.webhookEndpoints.create({
        url,
        enabled_events: HANDLED_EVENT_TYPES as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
        description: 'DisputeDesk',
        metadata: { disputedesk_tenant: tenantId },
      }),
    );
    const { hint } = await storeWebhookSecret(deps, tenantId, endpoint.secret!);
    const previous = await deps.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { webhookEndpointId: true },
    });
    await deps.prisma.tenant.update({
      where: { id: tenantId },
      data: { webhookEndpointId: endpoint.id },
    });
    if (previous?.webhookEndpointId && previous.webhookEndpointId !== endpoint.id) {
      // The old endpoint keeps delivering while its secret is still valid (24 h), then goes.
      await deps.queues.maintenance
        .add(
          'delete-webhook-endpoint',
          { task: 'delete-webhook-endpoint', tenantId, endpointId: previous.webhookEndpointId },
          { delay: 24 * 3600 * 1000 },
        )
        .catch((err: unknown) =>
          deps.logger.warn({ err, tenantId }, 'could not schedule the old endpoint for deletion'),
        );
    }
    return { status: 'created', url, hint };
  } catch (err) {
    if (err instanceof Stripe.errors.StripePermissionError) {
      return {
        status: 'secret_needed',
        url,
        message: `This key may not create webhook endpoints (rak_webhook_write). Either add that permission and connect again, or create an endpoint for ${url} in the Stripe Dashboard and send its signing secret (whsec_…) as webhookSecret.`,
      };
    }
    throw err;
  }
}
