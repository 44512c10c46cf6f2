// The end of a platform-type install: Stripe's redirect carries `state`, `user_id`, `account_id`
// and `install_signature`, a Stripe-Signature-style header over
// JSON.stringify({ state, user_id, account_id }) (that key order) made with the app's secret.
// Verified, the tenant is created; its calls use the platform key and Stripe-Account.
import { scheduleInitialSync } from '../../backfill/schedule-initial-sync.ts';
import { AppError } from '../../errors.ts';
import { SIGNATURE_MESSAGES, verifySignature } from '../../webhooks/verify-signature.ts';
import { activateTenant } from '../lifecycle/activate-tenant.ts';
import type { ConnectionDeps } from '../install-deps.ts';

export const installPayload = (p: { state: string; user_id: string; account_id: string }) =>
  JSON.stringify({ state: p.state, user_id: p.user_id, account_id: p.account_id });

export function verifyInstallSignature(
  deps: Pick<ConnectionDeps, 'app'>,
  p: { state: string; user_id: string; account_id: string; install_signature: string },
) {
  const result = verifySignature({
    header: p.install_signature,
    body: Buffer.from(installPayload(p)),
    secrets: deps.app.signingSecrets,
    toleranceSeconds: deps.app.toleranceSeconds,
  });
  if (!result.ok) {
    throw new AppError(
      'unauthorized',
      `The install signature is not valid: ${SIGNATURE_MESSAGES[result.reason]}`,
      {
        reason: result.reason,
      },
    );
  }
}

export async function completePlatformInstall(
  deps: ConnectionDeps,
  input: {
    state: string;
    user_id: string;
    account_id: string;
    install_signature: string;
    livemode: boolean;
  },
) {
  verifyInstallSignature(deps, input);
  if (!/^acct_\w+$/.test(input.account_id)) {
    throw new AppError('bad_request', 'account_id is not a Stripe account id.');
  }
  const { tenant } = await activateTenant(deps, {
    stripeAccountId: input.account_id,
    livemode: input.livemode,
    connectionType: 'platform',
  });
  const scheduled = await scheduleInitialSync(deps, tenant.id);
  deps.logger.info(
    { tenantId: tenant.id, account: input.account_id },
    'tenant connected (platform)',
  );
  return { tenant, scheduled };
}
