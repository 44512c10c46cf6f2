// Subscription schedules: phases of items, each lasting `iterations` periods or until `end_date`;
// starting now (the subscription is created at once) or later (on a test clock's advance);
// `expiring` seven days before the end, then `completed` — the subscription canceled
// (`end_behavior=cancel`) or left running (`release`); update, release and cancel by hand.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { findIn, integerParam } from './crud.ts';
import { resolvePrice } from './catalog.ts';
import {
  cancelAt,
  clockNow,
  createSubscriptionFor,
  periodEnd,
  renewDue,
  replaceItems,
} from './subscriptions.ts';

const RESOURCE = 'subscription_schedule';
const PATH = '/v1/subscription_schedules';
const EXPIRING_NOTICE = 7 * 86_400;

interface Phase {
  items: Array<{ price: string; quantity: number }>;
  start_date: number;
  end_date: number;
}

const entries = (raw: unknown): Array<Record<string, unknown>> =>
  (Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : []) as Array<
    Record<string, unknown>
  >;

/** Phases with their dates: each starts where the previous ended. */
function phasesParam(ctx: RequestContext, raw: unknown, start: number): Phase[] {
  const list = entries(raw);
  if (list.length === 0)
    throw invalidParam('phases', 'Missing required param: phases.', 'parameter_missing');
  let at = start;
  return list.map((p, i) => {
    const items = entries(p.items).map((item, j) => {
      const id = str(item.price, `phases[${i}][items][${j}][price]`);
      if (!id)
        throw invalidParam(
          `phases[${i}][items][${j}][price]`,
          'Missing required param: price.',
          'parameter_missing',
        );
      resolvePrice(ctx, id, `phases[${i}][items][${j}][price]`);
      return { price: id, quantity: integerParam(item.quantity, 'quantity') ?? 1 };
    });
    if (items.length === 0)
      throw invalidParam(`phases[${i}][items]`, 'Each phase needs items.', 'parameter_missing');
    const price = resolvePrice(ctx, items[0]!.price);
    const r = price.recurring as { interval: string; interval_count: number } | null;
    const endDate = integerParam(p.end_date, `phases[${i}][end_date]`);
    const iterations = integerParam(p.iterations, `phases[${i}][iterations]`) ?? 1;
    // `duration` (newer API versions) or `iterations` billing periods (older ones).
    const duration = p.duration as { interval?: unknown; interval_count?: unknown } | undefined;
    const byDuration =
      duration && typeof duration === 'object'
        ? periodEnd(
            at,
            str(duration.interval, `phases[${i}][duration][interval]`) ?? 'month',
            integerParam(duration.interval_count, `phases[${i}][duration][interval_count]`) ?? 1,
          )
        : null;
    const end =
      endDate ?? byDuration ?? (r ? periodEnd(at, r.interval, r.interval_count * iterations) : at);
    if (end <= at)
      throw invalidParam(`phases[${i}][end_date]`, 'A phase must end after it starts.');
    const phase = { items, start_date: at, end_date: end };
    at = end;
    return phase;
  });
}

const phasesOf = (s: StoredObject) => s.phases as Phase[];
const endOf = (s: StoredObject) => phasesOf(s).at(-1)!.end_date;

function start(ctx: RequestContext, schedule: StoredObject) {
  const sub = createSubscriptionFor(ctx, {
    customer: schedule.customer,
    items: phasesOf(schedule)[0]!.items,
    metadata: {},
  });
  sub.schedule = schedule.id;
  schedule.subscription = sub.id;
  schedule.status = 'active';
  schedule.current_phase = {
    start_date: phasesOf(schedule)[0]!.start_date,
    end_date: phasesOf(schedule)[0]!.end_date,
  };
}

/** Seven days before the schedule ends (once): `subscription_schedule.expiring`. */
function expiringNotice(ctx: RequestContext, schedule: StoredObject, to: number) {
  const notice = schedule as unknown as { expiringSent?: boolean };
  if (!notice.expiringSent && endOf(schedule) - to <= EXPIRING_NOTICE) {
    Object.defineProperty(schedule, 'expiringSent', { value: true, writable: true });
    emit(ctx, 'subscription_schedule.expiring', schedule);
  }
}

/** Time passes to `to` for one schedule: start, phase changes, the expiry notice, completion. */
export function advanceSchedule(ctx: RequestContext, schedule: StoredObject, to: number) {
  if (schedule.status === 'not_started' && Number(schedule.start_date) <= to) {
    start(ctx, schedule);
    emit(ctx, 'subscription_schedule.updated', schedule, { status: 'not_started' });
  }
  if (schedule.status !== 'active') return;
  const sub = ctx.state.get(ctx.account, 'subscription', schedule.subscription as string);
  if (!sub) return;
  const phases = phasesOf(schedule);
  for (let i = 0; i < phases.length; i++) {
    const boundary = phases[i]!.end_date;
    if (boundary > to) break;
    if (
      boundary <= Number((schedule.current_phase as { start_date: number } | null)?.start_date ?? 0)
    )
      continue;
    renewDue(ctx, sub, boundary - 1);
    const next = phases[i + 1];
    if (next) {
      replaceItems(ctx, sub, next.items);
      schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
      emit(ctx, 'subscription_schedule.updated', schedule);
      continue;
    }
    // A clock that jumps past the end still passes the notice seven days before it.
    expiringNotice(ctx, schedule, boundary);
    if (schedule.end_behavior === 'cancel') cancelAt(ctx, sub, boundary);
    else sub.schedule = null;
    schedule.status = 'completed';
    schedule.completed_at = boundary;
    schedule.current_phase = null;
    emit(ctx, 'subscription_schedule.completed', schedule, { status: 'active' });
    return;
  }
  expiringNotice(ctx, schedule, to);
}

function find(ctx: RequestContext, id: string) {
  return findIn(ctx, RESOURCE, id, 'subscription_schedule');
}

function expectOpen(schedule: StoredObject, action: string) {
  if (!['not_started', 'active'].includes(String(schedule.status))) {
    throw invalidParam(
      'schedule',
      `You cannot ${action} this subscription schedule because it is ${String(schedule.status)}.`,
      'subscription_schedule_invalid_state',
    );
  }
}

export const subscriptionScheduleRoutes: Route[] = [
  {
    method: 'POST',
    path: PATH,
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      if (!customer)
        throw invalidParam('customer', 'Missing required param: customer.', 'parameter_missing');
      findIn(ctx, 'customer', customer, 'customer', 'customer');
      const now = clockNow(ctx, customer);
      const startParam = ctx.params.start_date;
      const startDate =
        startParam === undefined || startParam === 'now'
          ? now
          : integerParam(startParam, 'start_date')!;
      const endBehavior = str(ctx.params.end_behavior, 'end_behavior') ?? 'release';
      if (!['release', 'cancel'].includes(endBehavior)) {
        throw invalidParam('end_behavior', 'Invalid end_behavior: must be one of release, cancel');
      }
      const schedule: StoredObject = {
        id: newId('sub_sched'),
        object: RESOURCE,
        application: null,
        canceled_at: null,
        completed_at: null,
        created: nowSeconds(),
        current_phase: null,
        customer,
        default_settings: {
          collection_method: 'charge_automatically',
          default_payment_method: null,
        },
        end_behavior: endBehavior,
        livemode: ctx.livemode,
        metadata: metadataParam(ctx.params.metadata),
        phases: phasesParam(ctx, ctx.params.phases, startDate),
        released_at: null,
        released_subscription: null,
        start_date: startDate,
        status: 'not_started',
        subscription: null,
        test_clock: ctx.state.get(ctx.account, 'customer', customer)?.test_clock ?? null,
      };
      ctx.state.insert(ctx.account, RESOURCE, schedule);
      if (startDate <= now) start(ctx, schedule);
      emit(ctx, 'subscription_schedule.created', schedule);
      return schedule;
    },
  },
  { method: 'GET', path: `${PATH}/:id`, handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => {
      const schedule = find(ctx, id!);
      expectOpen(schedule, 'update');
      const previous: Record<string, unknown> = {};
      if (ctx.params.metadata !== undefined) {
        previous.metadata = schedule.metadata;
        schedule.metadata = metadataParam(
          ctx.params.metadata,
          schedule.metadata as Record<string, string>,
        );
      }
      if (ctx.params.end_behavior !== undefined) {
        previous.end_behavior = schedule.end_behavior;
        schedule.end_behavior = str(ctx.params.end_behavior, 'end_behavior');
      }
      if (ctx.params.phases !== undefined) {
        previous.phases = schedule.phases;
        schedule.phases = phasesParam(ctx, ctx.params.phases, Number(schedule.start_date));
      }
      if (Object.keys(previous).length > 0)
        emit(ctx, 'subscription_schedule.updated', schedule, previous);
      return schedule;
    },
  },
  {
    method: 'POST',
    path: `${PATH}/:id/release`,
    handle: (ctx, { id }) => {
      const schedule = find(ctx, id!);
      expectOpen(schedule, 'release');
      const sub = schedule.subscription
        ? ctx.state.get(ctx.account, 'subscription', schedule.subscription as string)
        : undefined;
      if (sub) sub.schedule = null;
      const previous = { status: schedule.status };
      schedule.status = 'released';
      schedule.released_at = clockNow(ctx, schedule.customer as string);
      schedule.released_subscription = schedule.subscription;
      schedule.subscription = null;
      schedule.current_phase = null;
      emit(ctx, 'subscription_schedule.released', schedule, previous);
      return schedule;
    },
  },
  {
    method: 'POST',
    path: `${PATH}/:id/cancel`,
    handle: (ctx, { id }) => {
      const schedule = find(ctx, id!);
      expectOpen(schedule, 'cancel');
      const at = clockNow(ctx, schedule.customer as string);
      const sub = schedule.subscription
        ? ctx.state.get(ctx.account, 'subscription', schedule.subscription as string)
        : undefined;
      if (sub) cancelAt(ctx, sub, at);
      const previous = { status: schedule.status };
      schedule.status = 'canceled';
      schedule.canceled_at = at;
      schedule.current_phase = null;
      emit(ctx, 'subscription_schedule.canceled', schedule, previous);
      return schedule;
    },
  },
  {
    method: 'GET',
    path: PATH,
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: PATH,
        kind: 'subscription_schedule',
        where: (s) => !customer || s.customer === customer,
      });
    },
  },
];
