import { str } from '../context.ts';
import { missing } from '../errors.ts';
import { list } from '../list.ts';
import type { Route } from '../router.ts';

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/events/:id',
    handle: (ctx, { id }) => {
      const e = ctx.state.get(ctx.account, 'event', id!);
      if (!e) throw missing('event', id!);
      return e;
    },
  },
  {
    method: 'GET',
    path: '/v1/events',
    handle: (ctx) => {
      const type = str(ctx.params.type, 'type');
      const types = Array.isArray(ctx.params.types)
        ? ctx.params.types.map((t) => str(t, 'types') ?? '')
        : null;
      // Stripe keeps events for 30 days.
      const since = Math.floor(Date.now() / 1000) - 30 * 86400;
      const matchType = (t: string) =>
        (type === null || (type.endsWith('.*') ? t.startsWith(type.slice(0, -1)) : t === type)) &&
        (types === null || types.includes(t));
      return list(ctx.state, ctx.account, 'event', ctx.params, {
        url: '/v1/events',
        kind: 'event',
        where: (e) => e.created >= since && matchType(String(e.type)),
      });
    },
  },
];
