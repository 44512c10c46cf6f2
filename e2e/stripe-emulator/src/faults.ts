// Fault injection, changeable while the emulator runs (control API `/_emulator/faults`): Stripe's
// rate limits per account and mode (token buckets, 429 with Stripe's headers), injected 500s,
// slow responses, and duplicated or reordered webhook deliveries.
import { StripeApiError } from './errors.ts';

export interface Faults {
  /** Requests per second per account and mode; `enabled: false` turns limiting off. */
  rateLimit: { enabled: boolean; test: number; live: number };
  /** The next N API requests answer 500. */
  failNext: number;
  /** Share (0–1) of API requests that answer 500. */
  errorRate: number;
  /** Added to every API response, in ms. */
  latencyMs: number;
  /** Share (0–1) of webhook deliveries sent twice. */
  webhookDuplicateRate: number;
  /** Each delivery waits a random 0…N ms, so deliveries arrive out of order. */
  webhookReorderMs: number;
  /** Event types whose webhook deliveries are withheld (the events are still created and listed). */
  withholdEventTypes: string[];
}

export const defaultFaults = (): Faults => ({
  rateLimit: { enabled: true, test: 25, live: 100 },
  failNext: 0,
  errorRate: 0,
  latencyMs: 0,
  webhookDuplicateRate: 0,
  webhookReorderMs: 0,
  withholdEventTypes: [],
});

/** Token buckets per account and mode: `rate` tokens a second, bursts of up to `rate`. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  take(key: string, rate: number, now = Date.now()): boolean {
    const b = this.buckets.get(key) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  reset() {
    this.buckets.clear();
  }
}

export const rateLimited = () =>
  new StripeApiError(
    429,
    'invalid_request_error',
    'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    'rate_limit',
    undefined,
    { doc_url: 'https://stripe.com/docs/error-codes/rate-limit' },
    { 'stripe-rate-limited-reason': 'global-rate' },
  );

export const injectedFailure = () =>
  new StripeApiError(
    500,
    'api_error',
    'An unexpected error occurred (injected by the emulator’s fault settings).',
    undefined,
    undefined,
    {},
    { 'stripe-should-retry': 'true' },
  );
