import Stripe from 'stripe';

/** Stripe's 429s are waited out (backoff with jitter), not reported as a failure. */
export async function patiently<T>(call: () => Promise<T>): Promise<T> {
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
