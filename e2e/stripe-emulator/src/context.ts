// What a route handler receives: the world, the account the request acts on (after
// Stripe-Account), its mode, and the parameters (query string and form body, qs-decoded as
// stripe-node encodes them).
import { invalidParam } from './errors.ts';
import type { Account, EmulatorState, StoredObject } from './state.ts';
import { newId, nowSeconds } from './state.ts';

export type Params = Record<string, unknown>;

export interface RequestContext {
  state: EmulatorState;
  account: Account;
  livemode: boolean;
  /** Set when a platform key acts for a connected account (Stripe-Account header). */
  connected: boolean;
  params: Params;
  path: string;
  requestId: string;
  idempotencyKey: string | null;
  /** Set while a test clock acts (renewals): objects it makes are created at the clock's time. */
  frozenAt?: number;
}

/** "Now" for objects a request creates: the test clock's time when one drives it. */
export const createdAt = (ctx: RequestContext) => ctx.frozenAt ?? nowSeconds();

export const API_VERSION = '2026-10-28.endive';

/** Records an event on the account, as Stripe does for every change. */
export function emit(
  ctx: RequestContext,
  type: string,
  object: StoredObject,
  previous?: Record<string, unknown>,
) {
  const event: StoredObject = {
    id: newId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: nowSeconds(),
    data: {
      object: structuredClone(object),
      ...(previous ? { previous_attributes: previous } : {}),
    },
    livemode: ctx.livemode,
    pending_webhooks: 0,
    request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
    type,
    ...(ctx.account.platform ? { account: ctx.account.id } : {}),
  };
  ctx.state.insert(ctx.account, 'event', event);
  ctx.state.onEvent?.(event, ctx.account);
  return event;
}

/** A scalar parameter as a string; null when absent or empty; 400 when it is an object. */
export function str(v: unknown, param = 'parameter'): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidParam(param, `Invalid string: ${JSON.stringify(v)}`);
}

export function metadataParam(
  value: unknown,
  current: Record<string, string> = {},
): Record<string, string> {
  if (value === undefined) return current;
  if (value === '') return {};
  if (typeof value !== 'object' || value === null) throw invalidParam('metadata', 'Invalid object');
  const next = { ...current };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const s = str(v, `metadata[${k}]`);
    if (s === null) delete next[k];
    else next[k] = s;
  }
  return next;
}
