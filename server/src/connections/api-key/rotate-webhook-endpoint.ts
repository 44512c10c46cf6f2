// Rotating a restricted-key tenant's webhook secret: a new endpoint is created through the API
// and its secret becomes current; the old secret stays valid for 24 h and the old endpoint is
// deleted after that. A tenant whose key may not create endpoints rotates by pasting a new secret.
import { AppError } from '../../errors.ts';
import { createEndpoint } from './webhook-endpoint.ts';
import type { ConnectionDeps } from '../install-deps.ts';
import type { TenantClients } from '../credentials/tenant-clients.ts';
import { storeWebhookSecret } from '../credentials/webhook-secrets.ts';

export async function rotateWebhookSecret(
  deps: ConnectionDeps & { clients: TenantClients },
  tenantId: string,
  pasted?: string,
) {
  const tenant = await deps.prisma.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw new AppError('not_found', `No tenant ${tenantId}.`);
  if (tenant.connectionType !== 'api_key') {
    throw new AppError(
      'conflict',
      'Only restricted-key tenants have an endpoint of their own; OAuth and platform tenants use the Connect endpoint.',
    );
  }
  const url = `${deps.publicBaseUrl}/webhooks/stripe/${tenantId}`;
  if (pasted !== undefined) {
    if (!/^whsec_\w{8,}$/.test(pasted))
      throw new AppError('bad_request', 'The webhook signing secret must start with whsec_.');
    const { hint } = await storeWebhookSecret(deps, tenantId, pasted);
    return { status: 'pasted' as const, url, hint };
  }
  const stripe = await deps.clients.forTenant(tenantId);
  return createEndpoint(deps, stripe, tenantId, url);
}
