// The app's lifecycle events. `account.application.deauthorized` (the merchant uninstalled, or
// the platform deauthorized) disconnects the tenant and drops its OAuth tokens; an old
// deauthorization that arrives after a newer install changes nothing. `…authorized` activates a
// platform-type tenant (it needs no credentials); OAuth tenants are activated by the install
// callback, which holds their tokens. These run whatever the tenant's status.
import type Stripe from 'stripe';
import type { EventHandler } from '../../events/handler.ts';
import { ACCESS_TOKEN, REFRESH_TOKEN } from '../credentials/oauth-tokens.ts';

export const LIFECYCLE_EVENTS = new Set([
  'account.application.authorized',
  'account.application.deauthorized',
]);

export const deauthorized: EventHandler = async (ctx, event: Stripe.Event) => {
  const at = new Date(event.created * 1000);
  const { rowCount } = await ctx.db.query(
    `UPDATE tenants
        SET status = 'disconnected', status_reason = 'deauthorized: the app was uninstalled or its access revoked',
            disconnected_at = $2, access_token_expires_at = NULL, updated_at = now()
      WHERE id = $1 AND status IN ('pending', 'active', 'paused')
        -- Stripe's times have whole seconds: an event of the connection's own second applies.
        AND (connected_at IS NULL OR date_trunc('second', connected_at) <= $2)`,
    [ctx.tenantId, at],
  );
  if (rowCount) {
    await ctx.db.query(`DELETE FROM credentials WHERE tenant_id = $1 AND kind = ANY($2)`, [
      ctx.tenantId,
      [ACCESS_TOKEN, REFRESH_TOKEN],
    ]);
  }
};

export const authorized: EventHandler = async (ctx, event: Stripe.Event) => {
  await ctx.db.query(
    `UPDATE tenants
        SET status = 'active', status_reason = NULL, disconnected_at = NULL,
            connected_at = GREATEST(coalesce(connected_at, $2), $2), updated_at = now()
      WHERE id = $1 AND connection_type = 'platform' AND status IN ('pending', 'disconnected')
        AND (disconnected_at IS NULL OR date_trunc('second', disconnected_at) <= $2)`,
    [ctx.tenantId, new Date(event.created * 1000)],
  );
};
