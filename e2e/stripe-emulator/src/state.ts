// The emulator's in-memory world: accounts, their API keys, and per-account object stores kept
// in creation order (lists read them newest first). Ids look like Stripe's.
import { randomBytes } from 'node:crypto';

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
}

export interface ApiKey {
  key: string;
  account: string;
  livemode: boolean;
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
    const account: Account = { id, platform, objects: new Map(), order: new Map() };
    this.accounts.set(id, account);
    return account;
  }

  addKey(key: string, account: string, livemode: boolean) {
    this.keys.set(key, { key, account, livemode });
  }

  insert(account: Account, resource: string, object: StoredObject): StoredObject {
    let byId = account.objects.get(resource);
    if (!byId) account.objects.set(resource, (byId = new Map<string, StoredObject>()));
    byId.set(object.id, object);
    let order = account.order.get(resource);
    if (!order) account.order.set(resource, (order = []));
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
      order.splice(order.indexOf(id), 1);
    }
    return existed;
  }

  /** Objects of a resource, newest first (creation order reversed). */
  *newestFirst(account: Account, resource: string): Generator<StoredObject> {
    const order = account.order.get(resource) ?? [];
    const byId = account.objects.get(resource)!;
    for (let i = order.length - 1; i >= 0; i--) yield byId.get(order[i]!)!;
  }
}
