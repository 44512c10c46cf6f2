// Disconnecting a tenant on request (the merchant in the app's settings, or support staff):
// access at Stripe is revoked where we hold it — an OAuth install is deauthorized, the webhook
// endpoint we created with a restricted key is deleted — then the tenant is marked disconnected,
// its access credentials are dropped and its running backfill is canceled. Its data stays until
// the retention ends (purge-tenants.ts); reconnecting restores it. A failed revocation does not
// keep the tenant connected: it is reported so the merchant can finish it in the Dashboard.
import type { Tenant } from '../../generated/prisma/client.ts';
import { withTransaction } from '../../db.ts';
import { AppError } from '../../errors.ts';
import { API_KEY } from '../credentials/api-key-credential.ts';
import type { ConnectionDeps } from '../install-deps.ts';
import { ACCESS_TOKEN, REFRESH_TOKEN } from '../credentials/oauth-tokens.ts';
import { platformKey } from '../credentials/stripe-client.ts';
import type { TenantClients } from '../credentials/tenant-clients.ts';
import { WEBHOOK_SECRET_KIND } from '../credentials/webhook-secrets.ts';

type Deps = Pick<ConnectionDeps, 'pool' | 'prisma' | 'logger' | 'stripe' | 'oauth'> & {
  clients: Pick<TenantClients, 'forTenant' | 'forget'>;
};

export interface DisconnectResult {
  tenantId: string;
  status: 'disconnected';
  /** What was revoked at Stripe, or why nothing was. */
  revocation: { done: boolean; detail: string };
}

async function revoke(deps: Deps, tenant: Tenant): Promise<DisconnectResult['revocation']> {
  switch (tenant.connectionType) {
    case 'oauth': {
      const res = await fetch(`${deps.stripe.apiBase}/v1/oauth/deauthorize`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${platformKey(deps.stripe, tenant.livemode, tenant.sandbox)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          client_id: deps.oauth.clientId ?? '',
          stripe_user_id: tenant.stripeAccountId,
        }).toString(),
        signal: AbortSignal.timeout(deps.stripe.timeoutMs),
      });
      await res.arrayBuffer();
      if (!res.ok) return { done: false, detail: `Stripe answered ${res.status} to deauthorize` };
      return { done: true, detail: 'the app was deauthorized on the account' };
    }
    case 'api_key': {
      if (!tenant.webhookEndpointId)
        return { done: false, detail: 'no endpoint of ours to delete' };
      const stripe = await deps.clients.forTenant(tenant.id);
      await stripe.webhookEndpoints.del(tenant.webhookEndpointId);
      return { done: true, detail: `webhook endpoint ${tenant.webhookEndpointId} deleted` };
    }
    default:
      return {
        done: false,
        detail: 'uninstall the app in the Stripe Dashboard to remove its access',
      };
  }
}

export async function disconnectTenant(
  deps: Deps,
  tenantId: string,
  reason: string,
): Promise<DisconnectResult> {
  const tenant = await deps.prisma.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw new AppError('not_found', `No tenant ${tenantId}.`);
  if (tenant.status === 'disconnected' || tenant.status === 'purged') {
    throw new AppError('conflict', `The tenant is already ${tenant.status}.`);
  }
  const revocation = await revoke(deps, tenant).catch((err: unknown) => {
    deps.logger.warn({ err, tenantId }, 'revoking access at Stripe failed; disconnecting anyway');
    return { done: false, detail: `revoking at Stripe failed: ${(err as Error).message}` };
  });
  await withTransaction(deps.pool, async (client) => {
    await client.query(
      `UPDATE tenants SET status = 'disconnected', status_reason = $2, disconnected_at = now(),
              access_token_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'active', 'paused')`,
      [tenantId, `disconnected: ${reason}`],
    );
    await client.query('DELETE FROM credentials WHERE tenant_id = $1 AND kind = ANY($2)', [
      tenantId,
      [ACCESS_TOKEN, REFRESH_TOKEN, API_KEY, WEBHOOK_SECRET_KIND],
    ]);
    await client.query(
      `UPDATE backfill_runs SET status = 'canceled', error = 'the tenant was disconnected',
              finished_at = now() WHERE tenant_id = $1 AND status = 'running'`,
      [tenantId],
    );
  });
  deps.clients.forget(tenantId);
  deps.logger.info({ tenantId, reason, revocation }, 'tenant disconnected');
  return { tenantId, status: 'disconnected', revocation };
}
