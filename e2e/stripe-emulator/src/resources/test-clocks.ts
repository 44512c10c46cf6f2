// Test clocks: customers made on a clock live at its frozen time; advancing it bills every period
// their subscriptions pass (one invoice per period, paid or failed), as Stripe's test clocks do.
import { emit, str, type RequestContext } from '../context.ts';
import { invalidParam } from '../errors.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { findIn, integerParam } from './crud.ts';
import { renewDue } from './subscriptions.ts';
import { advanceSchedule } from './subscription-schedules.ts';
import { list } from '../list.ts';

const RESOURCE = 'test_helpers.test_clock';
const PATH = '/v1/test_helpers/test_clocks';

function frozenTime(ctx: RequestContext, after?: number): number {
  const t = integerParam(ctx.params.frozen_time, 'frozen_time');
  if (t === null)
    throw invalidParam('frozen_time', 'Missing required param: frozen_time.', 'parameter_missing');
  if (after !== undefined && t <= after) {
    throw invalidParam(
      'frozen_time',
      'The frozen_time must be after the current frozen_time of the test clock.',
    );
  }
  return t;
}

/** Moves the clock and bills what its customers' subscriptions owe up to the new time. */
export function advanceClock(ctx: RequestContext, clock: StoredObject, to: number) {
  clock.status = 'advancing';
  emit(ctx, 'test_helpers.test_clock.advancing', clock, { status: 'ready' });
  clock.frozen_time = to;
  const customers = new Set(
    [...ctx.state.newestFirst(ctx.account, 'customer')]
      .filter((c) => c.test_clock === clock.id)
      .map((c) => c.id),
  );
  // Schedules first (they start subscriptions and change their phases), then every renewal due.
  const schedules = [...ctx.state.newestFirst(ctx.account, 'subscription_schedule')].filter((s) =>
    customers.has(s.customer as string),
  );
  for (const schedule of schedules.reverse()) advanceSchedule(ctx, schedule, to);
  const subs = [...ctx.state.newestFirst(ctx.account, 'subscription')].filter((s) =>
    customers.has(s.customer as string),
  );
  for (const sub of subs.reverse()) renewDue(ctx, sub, to);
  clock.status = 'ready';
  emit(ctx, 'test_helpers.test_clock.ready', clock, { status: 'advancing' });
}

export const testClockRoutes: Route[] = [
  {
    method: 'POST',
    path: PATH,
    handle: (ctx) => {
      const frozen = frozenTime(ctx);
      const clock: StoredObject = {
        id: newId('clock'),
        object: RESOURCE,
        created: nowSeconds(),
        deletes_after: frozen + 30 * 86_400,
        frozen_time: frozen,
        livemode: false,
        name: str(ctx.params.name, 'name'),
        status: 'ready',
        status_details: {},
      };
      ctx.state.insert(ctx.account, RESOURCE, clock);
      emit(ctx, 'test_helpers.test_clock.created', clock);
      return clock;
    },
  },
  {
    method: 'GET',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => findIn(ctx, RESOURCE, id!, 'test_clock'),
  },
  {
    method: 'POST',
    path: `${PATH}/:id/advance`,
    handle: (ctx, { id }) => {
      const clock = findIn(ctx, RESOURCE, id!, 'test_clock');
      advanceClock(ctx, clock, frozenTime(ctx, Number(clock.frozen_time)));
      return clock;
    },
  },
  {
    method: 'DELETE',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => {
      const clock = findIn(ctx, RESOURCE, id!, 'test_clock');
      ctx.state.remove(ctx.account, RESOURCE, id!);
      emit(ctx, 'test_helpers.test_clock.deleted', clock);
      return { id, object: RESOURCE, deleted: true };
    },
  },
  {
    method: 'GET',
    path: PATH,
    handle: (ctx) =>
      list(ctx.state, ctx.account, RESOURCE, ctx.params, { url: PATH, kind: 'test_clock' }),
  },
];
