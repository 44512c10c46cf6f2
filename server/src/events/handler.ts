// The shapes of event handlers: what a handler receives and may ask for after its commit. Its
// own module, so the dispatch table and the capabilities whose handlers it lists (lifecycle,
// reports) do not import each other.
import type Stripe from 'stripe';
import type { Queryable } from '../stripe-objects/upsert-objects.ts';

/** Work a handler asks for once its transaction has committed (a job on another queue). */
export interface FollowUp {
  queue: 'reports' | 'backfill' | 'notifications' | 'maintenance';
  name: string;
  data: Record<string, unknown>;
  jobId?: string;
}

export interface HandlerContext {
  /** A connection inside the transaction that also marks the event processed. */
  db: Queryable;
  tenantId: string;
  /** Queued after the commit; lost follow-ups are re-offered by the maintenance pass. */
  afterCommit: (job: FollowUp) => void;
}

export type EventHandler = (ctx: HandlerContext, event: Stripe.Event) => Promise<void>;

/** One event of a bulk call, with the tenant it was verified for. */
export interface TenantEvent {
  tenantId: string;
  event: Stripe.Event;
}

/**
 * A handler that applies many events at once, of any tenants (one statement per step and kind):
 * applying them together equals applying them one by one, in any order (`oneAtATime` names the
 * events for which that does not hold). `kind` groups the types one call may mix.
 */
export interface BulkHandler {
  kind: string;
  apply: (ctx: BulkContext, events: TenantEvent[]) => Promise<void>;
  /**
   * Events with the same key in one batch are applied one at a time, in id order, instead of
   * together (a dispute's every status change is its own notification).
   */
  oneAtATime?: (e: TenantEvent) => string;
  /** Applied after the other kinds of its batch (disputes see their payments' events). */
  last?: boolean;
}

/** A bulk call's context: each event carries its own tenant. */
export type BulkContext = Omit<HandlerContext, 'tenantId'>;
