// The emulator's in-memory world: accounts, their API keys, and per-account object stores kept
// in creation order (lists read them newest first). Ids look like Stripe's.
import { randomBytes } from 'node:crypto';
import { defaultFaults, RateLimiter, type Faults } from './faults.ts';
import type { Permissions } from './access.ts';
import { newOAuthState, type OAuthState } from './oauth-state.ts';

export interface StoredObject {
  id: string;
  object: string;
  created: number;
  livemode?: boolean;
  [key: string]: unknown;
}

export interface Account {
  id: string;
  /** The platform this account is connected to, if any. */
  platform: string | null;
  objects: Map<string, Map<string, StoredObject>>;
  /** Per resource, ids in creation order. */
  order: Map<string, string[]>;
  /** Per resource, each id's index in `order` (list cursors find their place in O(1)). */
  positions: Map<string, Map<string, number>>;
}

export interface ApiKey {
  key: string;
  account: string;
  livemode: boolean;
  /** Restricted keys only: what they may do. */
  permissions?: Permissions;
  /** OAuth access tokens expire (ms since epoch). */
  expiresAt?: number;
  /** An app's OAuth token: `permissions` are what its manifest requested. */
  app?: boolean;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${out}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface EmulatorSettings {
  /** How long after a submission test-mode evidence settles a dispute. */
  settleDelayMs: number;
  /** How long a payout stays pending before it is paid. */
  payoutDelayMs: number;
  /** How long a report run takes to succeed. */
  reportDelayMs: number;
  /** Delay before each webhook retry (Stripe's schedule, compressed); its length bounds the retries. */
  retryDelaysMs: number[];
  /** A delivery that takes longer counts as failed. */
  deliveryTimeoutMs: number;
}

export class EmulatorState {
  readonly accounts = new Map<string, Account>();
  readonly settings: EmulatorSettings = {
    settleDelayMs: 200,
    payoutDelayMs: 500,
    reportDelayMs: 200,
    retryDelaysMs: [1000, 2000, 4000, 8000, 16000, 32000],
    deliveryTimeoutMs: 10_000,
  };
  /** Called for every event recorded (webhook delivery subscribes here). */
  onEvent: ((event: StoredObject, account: Account) => void) | null = null;
  readonly keys = new Map<string, ApiKey>();
  /** Where the emulator listens (File urls point here). */
  baseUrl = 'http://127.0.0.1:12111';

  createAccount(platform: string | null = null, id = newId('acct', 16)): Account {
    const account: Account = {
      id,
      platform,
      objects: new Map(),
      order: new Map(),
      positions: new Map(),
    };
    this.accounts.set(id, account);
    return account;
  }

  faults: Faults = defaultFaults();
  /** What the API answered so far (for tests and the benchmarks). */
  readonly stats = { requests: 0, rateLimited: 0 };
  readonly oauth: OAuthState = newOAuthState();
  readonly limiter = new RateLimiter();
  /** Per account: idempotency key → the first request's parameters and answer. */
  readonly idempotency = new Map<string, { fingerprint: string; status: number; body: unknown }>();

  addKey(key: string, account: string, livemode: boolean, extra: Partial<ApiKey> = {}) {
    const entry: ApiKey = { key, account, livemode, ...extra };
    this.keys.set(key, entry);
    return entry;
  }

  insert(account: Account, resource: string, object: StoredObject): StoredObject {
    let byId = account.objects.get(resource);
    if (!byId) account.objects.set(resource, (byId = new Map<string, StoredObject>()));
    byId.set(object.id, object);
    let order = account.order.get(resource);
    if (!order) account.order.set(resource, (order = []));
    let positions = account.positions.get(resource);
    if (!positions) account.positions.set(resource, (positions = new Map<string, number>()));
    positions.set(object.id, order.length);
    order.push(object.id);
    return object;
  }

  get(account: Account, resource: string, id: string): StoredObject | undefined {
    return account.objects.get(resource)?.get(id);
  }

  remove(account: Account, resource: string, id: string): boolean {
    const existed = account.objects.get(resource)?.delete(id) ?? false;
    if (existed) {
      const order = account.order.get(resource)!;
      const positions = account.positions.get(resource)!;
      order.splice(positions.get(id)!, 1);
      positions.clear();
      order.forEach((oid, i) => positions.set(oid, i));
    }
    return existed;
  }

  /** Where an object sits in its resource's creation order. */
  position(account: Account, resource: string, id: string): number | undefined {
    return account.positions.get(resource)?.get(id);
  }

  /** Objects of a resource, newest first (creation order reversed). */
  *newestFirst(account: Account, resource: string): Generator<StoredObject, void, undefined> {
    const order = account.order.get(resource) ?? [];
    const byId = account.objects.get(resource)!;
    for (let i = order.length - 1; i >= 0; i--) yield byId.get(order[i]!)!;
  }
}
