// Connecting with a restricted API key (the Forter / IXOPAY way). The key's format and mode are
// checked, then the account it belongs to, then every permission the product needs with cheap
// calls; the answer names each missing one and nothing is stored. On success the key is stored
// encrypted and the merchant's webhook endpoint is created through the API (its signing secret
// stored encrypted); a key that may not create endpoints can come with a pasted whsec_ secret.
import { scheduleInitialSync } from '../../backfill/schedule-initial-sync.ts';
import { secretHint } from '../../crypto/keyring.ts';
import { AppError } from '../../errors.ts';
import { storeApiKey } from '../credentials/api-key-credential.ts';
import { stripeClient } from '../credentials/stripe-client.ts';
import { storeWebhookSecret } from '../credentials/webhook-secrets.ts';
import type { ConnectionDeps } from '../install-deps.ts';
import { activateTenant } from '../lifecycle/activate-tenant.ts';
import { accountOfKey, parseKey, requirePermissions } from './key-checks.ts';
import { createEndpoint } from './webhook-endpoint.ts';

export interface ApiKeyInput {
  apiKey: string;
  /** The mode the caller expects (the app's mode); omitted by admins: the key decides. */
  livemode?: boolean;
  /** The account the caller is (verified app requests): the key must belong to it. */
  expectedAccountId?: string;
  /** A whsec_ secret of an endpoint the merchant made, when the key may not create one. */
  webhookSecret?: string;
}

export async function connectWithApiKey(deps: ConnectionDeps, input: ApiKeyInput) {
  const { key, livemode } = parseKey(input.apiKey, input.livemode);
  const webhookSecret = input.webhookSecret?.trim();
  if (webhookSecret !== undefined && !/^whsec_\w{8,}$/.test(webhookSecret)) {
    throw new AppError('bad_request', 'The webhook signing secret must start with whsec_.', {
      reason: 'webhook_secret_format',
    });
  }
  const stripe = stripeClient(deps.stripe, key, { maxNetworkRetries: 1 });
  const account = await accountOfKey(stripe, input.expectedAccountId);
  await requirePermissions(stripe);

  const { tenant } = await activateTenant(deps, {
    stripeAccountId: account.id,
    livemode,
    connectionType: 'api_key',
    displayName:
      account.settings?.dashboard?.display_name ?? account.business_profile?.name ?? null,
  });
  await storeApiKey(deps, tenant.id, key);
  const url = `${deps.publicBaseUrl}/webhooks/stripe/${tenant.id}`;
  const webhook = webhookSecret
    ? {
        status: 'pasted' as const,
        url,
        ...(await storeWebhookSecret(deps, tenant.id, webhookSecret)),
      }
    : await createEndpoint(deps, stripe, tenant.id, url);
  const scheduled = await scheduleInitialSync(deps, tenant.id);
  deps.logger.info(
    { tenantId: tenant.id, account: account.id, livemode, webhook: webhook.status },
    'tenant connected (api key)',
  );
  return {
    tenantId: tenant.id,
    accountId: account.id,
    livemode,
    status: tenant.status,
    keyHint: secretHint(key),
    webhook,
    historyScheduled: scheduled,
  };
}
