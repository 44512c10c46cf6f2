// Idempotency keys like Stripe's: a POST retried with the same key and parameters gets the first
// answer again (Idempotent-Replayed: true) and changes nothing; other parameters → 400.
import { StripeApiError } from './errors.ts';
import type { EmulatorState } from './state.ts';

const MAX_KEYS = 200_000;

export function idempotent(state: EmulatorState, key: string, fingerprint: string) {
  const seen = state.idempotency.get(key);
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key.split(':').slice(1).join(':')}' if you meant to execute a different request.`,
      );
    }
    return { answer: seen, remember: () => undefined };
  }
  return {
    answer: null,
    remember(status: number, body: unknown) {
      if (state.idempotency.size >= MAX_KEYS) {
        state.idempotency.delete(state.idempotency.keys().next().value!);
      }
      // A snapshot: the object itself keeps changing after the request.
      state.idempotency.set(key, { fingerprint, status, body: JSON.parse(JSON.stringify(body)) });
    },
  };
}
