// One emulator per test file, started before its tests and stopped after, and official `stripe`
// clients pointed at it (no retries: a test sees exactly what the emulator answered).
import Stripe from 'stripe';
import { afterAll, beforeAll } from 'vitest';
import type { EmulatorSettings } from '../../src/state.ts';
import { DEFAULT_KEYS, startEmulator, type Emulator } from '../../src/server.ts';

export interface EmulatorHandle {
  /** The running emulator (set once the file's beforeAll ran). */
  readonly emulator: Emulator;
  /** A client with `key` (the platform's test key by default), optionally as a connected account. */
  client(key?: string, extra?: Partial<Stripe.StripeConfig>): Stripe;
  /** The platform's client, acting on `stripeAccount` when given. */
  as(stripeAccount?: string): Stripe;
}

export function useEmulator(
  opts: { rateLimit?: boolean; settings?: Partial<EmulatorSettings> } = {},
): EmulatorHandle {
  let running: Emulator | undefined;
  beforeAll(async () => {
    running = await startEmulator({ port: 0, rateLimit: opts.rateLimit ?? false });
    Object.assign(running.state.settings, opts.settings ?? {});
  });
  afterAll(async () => {
    await running?.stop();
  });
  const handle: EmulatorHandle = {
    get emulator() {
      if (!running) throw new Error('The emulator starts in beforeAll; use it inside a test.');
      return running;
    },
    client: (key = DEFAULT_KEYS.test, extra = {}) =>
      new Stripe(key, {
        host: '127.0.0.1',
        port: handle.emulator.port,
        protocol: 'http',
        maxNetworkRetries: 0,
        ...extra,
      }),
    as: (stripeAccount) => handle.client(DEFAULT_KEYS.test, stripeAccount ? { stripeAccount } : {}),
  };
  return handle;
}
