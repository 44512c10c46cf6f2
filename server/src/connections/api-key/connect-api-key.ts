// Connecting with a restricted API key (the Forter / IXOPAY way). The key's format and mode are
// checked, then the account it belongs to, then every permission the product needs with cheap
// calls; the answer names each missing one and nothing is stored. On success the key is stored
// encrypted and the merchant's webhook endpoint is created through the API (its signing secret
// stored encrypted); a key that may not create endpoints can come with a pasted whsec_ secret.
import Stripe from 'stripe';
import { scheduleInitialSync } from '../backfill/schedule-initial-sync.ts';
import { secretHint } from '../crypto/keyring.ts';
import { AppError } from '../errors.ts';
import { HANDLED_EVENT_TYPES } from '../events/dispatch-table.ts';
import { activateTenant } from './activate-tenant.ts';
import type { ConnectionDeps } from './install-deps.ts';
import { stripeClient } from './stripe-client.ts';
import { storeWebhookSecret } from './webhook-secrets.ts';

export const API_KEY = 'api_key';
const KEY_FORMAT = /^rk_(test|live)_[A-Za-z0-9]{16,}$/;

/** What the product reads (and the report runs it creates), each with a side-effect-free probe. */
const PROBES: Array<[permission: string, probe: (s: Stripe) => Promise<unknown>]> = [
  ['rak_dispute_read', (s) => s.disputes.list({ limit: 1 })],
  ['rak_charge_read', (s) => s.charges.list({ limit: 1 })],
  ['rak_payment_intent_read', (s) => s.paymentIntents.list({ limit: 1 })],
  ['rak_customer_read', (s) => s.customers.list({ limit: 1 })],
  ['rak_refund_read', (s) => s.refunds.list({ limit: 1 })],
  ['rak_payout_read', (s) => s.payouts.list({ limit: 1 })],
  ['rak_balance_read', (s) => s.balance.retrieve()],
  ['rak_balance_transaction_source_read', (s) => s.balanceTransactions.list({ limit: 1 })],
  ['rak_radar_early_fraud_warning_read', (s) => s.radar.earlyFraudWarnings.list({ limit: 1 })],
  ['rak_event_read', (s) => s.events.list({ limit: 1 })],
  ['rak_report_type_read', (s) => s.reporting.reportTypes.list()],
  ['rak_report_run_read', (s) => s.reporting.reportRuns.list({ limit: 1 })],
  // Without parameters the call is refused as invalid (400) when the key may write, 403 if not.
  [
    'rak_report_run_write',
    (s) => s.reporting.reportRuns.create({} as Stripe.Reporting.ReportRunCreateParams),
  ],
  ['rak_file_read', (s) => s.files.list({ limit: 1 })],
  // Billing and Checkout: a dispute on a subscription payment is argued from these.
  ['rak_invoice_read', (s) => s.invoices.list({ limit: 1 })],
  ['rak_subscription_read', (s) => s.subscriptions.list({ limit: 1, status: 'all' })],
  ['rak_checkout_session_read', (s) => s.checkout.sessions.list({ limit: 1 })],
  ['rak_product_read', (s) => s.products.list({ limit: 1 })],
  ['rak_plan_read', (s) => s.prices.list({ limit: 1 })],
];

export const REQUIRED_PERMISSIONS = PROBES.map(([p]) => p);

export interface ApiKeyInput {
  apiKey: string;
  /** The mode the caller expects (the app's mode); omitted by admins: the key decides. */
  livemode?: boolean;
  /** The account the caller is (verified app requests): the key must belong to it. */
  expectedAccountId?: string;
  /** A whsec_ secret of an endpoint the merchant made, when the key may not create one. */
  webhookSecret?: string;
}

/** Stripe's 429s are waited out (backoff with jitter), not reported as a failure. */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof Stripe.errors.StripeRateLimitError) || attempt >= 8) throw err;
      await new Promise((r) =>
        setTimeout(r, Math.min(8000, 250 * 2 ** attempt) * (0.5 + Math.random())),
      );
    }
  }
}

async function missingPermissions(stripe: Stripe): Promise<string[]> {
  const results = await Promise.all(
    PROBES.map(async ([permission, probe]) => {
      try {
        await patiently(() => probe(stripe));
        return null;
      } catch (err) {
        if (err instanceof Stripe.errors.StripePermissionError) return permission;
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 400)
          return null;
        throw new AppError(
          'storage_unavailable',
          `Stripe could not be asked about ${permission}; retry later.`,
          undefined,
          { cause: err },
        );
      }
    }),
  );
  return results.filter((p): p is string => p !== null);
}

export async function connectWithApiKey(deps: ConnectionDeps, input: ApiKeyInput) {
  const key = input.apiKey.trim();
  if (/^sk_(test|live)_/.test(key)) {
    throw new AppError(
      'invalid_api_key',
      'This is a secret key. Create a restricted key (rk_…) with the permissions DisputeDesk lists, and use that instead.',
      { reason: 'secret_key_refused' },
    );
  }
  const format = KEY_FORMAT.exec(key);
  if (!format) {
    throw new AppError(
      'invalid_api_key',
      'This does not look like a Stripe restricted key (rk_test_… or rk_live_…).',
      { reason: 'format' },
    );
  }
  const livemode = format[1] === 'live';
  if (input.livemode !== undefined && input.livemode !== livemode) {
    throw new AppError(
      'invalid_api_key',
      `This is a ${livemode ? 'live' : 'test'}-mode key, but you are connecting ${input.livemode ? 'live' : 'test'} mode.`,
      { reason: 'mode_mismatch' },
    );
  }
  const webhookSecret = input.webhookSecret?.trim();
  if (webhookSecret !== undefined && !/^whsec_\w{8,}$/.test(webhookSecret)) {
    throw new AppError('bad_request', 'The webhook signing secret must start with whsec_.', {
      reason: 'webhook_secret_format',
    });
  }
  const stripe = stripeClient(deps.stripe, key, { maxNetworkRetries: 1 });
  let account: Stripe.Account;
  try {
    account = await patiently(() => stripe.accounts.retrieveCurrent());
  } catch (err) {
    if (err instanceof Stripe.errors.StripeAuthenticationError) {
      throw new AppError(
        'invalid_api_key',
        'Stripe does not recognise this key (it may have been rolled or deleted).',
        { reason: 'unknown_key' },
      );
    }
    if (err instanceof Stripe.errors.StripePermissionError) {
      throw new AppError('missing_permissions', 'The key may not read its own account.', {
        missing: ['rak_account_read'],
        required: REQUIRED_PERMISSIONS,
      });
    }
    throw new AppError(
      'storage_unavailable',
      'Stripe could not be reached to check the key; retry later.',
      undefined,
      { cause: err },
    );
  }
  if (input.expectedAccountId && account.id !== input.expectedAccountId) {
    throw new AppError(
      'key_account_mismatch',
      `This key belongs to another Stripe account (${account.id}), not ${input.expectedAccountId}.`,
    );
  }
  const missing = await missingPermissions(stripe);
  if (missing.length > 0) {
    throw new AppError(
      'missing_permissions',
      `The key lacks ${missing.length} permission${missing.length > 1 ? 's' : ''} DisputeDesk needs: ${missing.join(', ')}.`,
      { missing, required: REQUIRED_PERMISSIONS },
    );
  }

  const { tenant } = await activateTenant(deps, {
    stripeAccountId: account.id,
    livemode,
    connectionType: 'api_key',
    displayName:
      account.settings?.dashboard?.display_name ?? account.business_profile?.name ?? null,
  });
  const sealed = deps.keyring.seal(key, `${tenant.id}:${API_KEY}`);
  await deps.prisma.$transaction([
    deps.prisma.credential.deleteMany({ where: { tenantId: tenant.id, kind: API_KEY } }),
    deps.prisma.credential.create({
      data: {
        tenantId: tenant.id,
        kind: API_KEY,
        ciphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        hint: secretHint(key),
      },
    }),
  ]);

  const url = `${deps.publicBaseUrl}/webhooks/stripe/${tenant.id}`;
  let webhook: {
    status: 'created' | 'pasted' | 'secret_needed';
    url: string;
    hint?: string;
    message?: string;
  };
  if (webhookSecret) {
    const { hint } = await storeWebhookSecret(deps, tenant.id, webhookSecret);
    webhook = { status: 'pasted', url, hint };
  } else {
    webhook = await createEndpoint(deps, stripe, tenant.id, url);
  }
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
