import { randomBytes } from 'node:crypto';

/** A Stripe-looking id, unique per call: `prefix_` + 24 base62-ish characters. */
export function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x').slice(0, 24)}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
