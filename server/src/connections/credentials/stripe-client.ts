// Builds stripe-node clients the same way everywhere: the base URL from config (Stripe or the
// local emulator), the pinned API version, timeouts and network retries (stripe-node adds
// idempotency keys to retried POSTs).
import Stripe from 'stripe';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';

export type StripeSettings = Config['stripe'];

export function stripeClient(
  settings: StripeSettings,
  key: string,
  opts: { stripeAccount?: string; maxNetworkRetries?: number } = {},
): Stripe {
  const base = new URL(settings.apiBase);
  const protocol = base.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(key, {
    apiVersion: settings.apiVersion as Stripe.LatestApiVersion,
    host: base.hostname,
    port: Number(base.port || (protocol === 'http' ? 80 : 443)),
    protocol,
    timeout: settings.timeoutMs,
    maxNetworkRetries: opts.maxNetworkRetries ?? settings.maxNetworkRetries,
    telemetry: false,
    appInfo: { name: 'DisputeDesk' },
    ...(opts.stripeAccount ? { stripeAccount: opts.stripeAccount } : {}),
  });
}

/**
 * The platform's secret key for a mode — or, for an install in one of the merchant's sandboxes,
 * the app's managed sandbox key — or a clear error when it is not configured.
 */
export function platformKey(settings: StripeSettings, livemode: boolean, sandbox = false): string {
  const which = sandbox ? 'sandbox' : livemode ? 'live' : 'test';
  const key = settings.secretKeys[which];
  if (!key) {
    throw new AppError(
      'not_ready',
      `STRIPE_SECRET_KEY_${which.toUpperCase()} is not set: ${sandbox ? 'sandbox installs need the managed sandbox key' : `${which}-mode connections need the platform key`}`,
    );
  }
  return key;
}
