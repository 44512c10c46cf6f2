// The end of an OAuth install: exchange the code with the platform key of the state's mode,
// create or reactivate the tenant, store its tokens encrypted, and queue the initial backfill
// and report runs.
import { scheduleInitialSync } from '../../backfill/schedule-initial-sync.ts';
import { activateTenant } from '../lifecycle/activate-tenant.ts';
import type { ConnectionDeps } from '../install-deps.ts';
import { storeTokens } from '../credentials/oauth-tokens.ts';
import { requestTokens } from '../credentials/stripe-oauth.ts';

export async function completeOAuthInstall(
  deps: ConnectionDeps,
  input: { code: string; livemode: boolean; sandbox?: boolean },
) {
  const tokens = await requestTokens(
    deps.stripe,
    input.livemode,
    { grant_type: 'authorization_code', code: input.code },
    input.sandbox,
  );
  const { tenant } = await activateTenant(deps, {
    stripeAccountId: tokens.stripeUserId,
    livemode: input.livemode,
    connectionType: 'oauth',
    sandbox: input.sandbox ?? false,
  });
  await deps.prisma.$transaction((tx) => storeTokens(tx, deps.keyring, tenant.id, tokens));
  const scheduled = await scheduleInitialSync(deps, tenant.id);
  deps.logger.info(
    { tenantId: tenant.id, account: tenant.stripeAccountId, livemode: tenant.livemode },
    'tenant connected (oauth)',
  );
  return { tenant, scheduled };
}
