// Stored events: search, one in full (secrets redacted), replay one, replay a filtered set
// (dry run first).
import { replayEvent } from '../../events/replay-event.ts';
import { replayEvents } from '../../events/replay-events.ts';
import { getEvent, searchEvents } from '../../events/search-events.ts';
import {
  EventDetail,
  EventList,
  EventParams,
  EventQuery,
  ReplayBody,
  ReplayMany,
  ReplayOne,
} from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { route } from './route-registry.ts';

const tag = 'Events';

export const eventRoutes = (deps: AdminDeps) => [
  route({
    method: 'get',
    path: '/admin/v1/events',
    role: 'viewer',
    tag,
    summary: 'Search stored events by tenant, type (or prefix*), status and time received',
    query: EventQuery,
    response: EventList,
    handle: async ({ query, read }) => searchEvents(await read(), query),
  }),
  route({
    method: 'get',
    path: '/admin/v1/events/:eventId',
    role: 'viewer',
    tag,
    summary: 'One stored event with its payload (secrets redacted)',
    params: EventParams,
    response: EventDetail,
    handle: async ({ params, read }) => getEvent(await read(), params.eventId),
  }),
  route({
    method: 'post',
    path: '/admin/v1/events/:eventId/replay',
    role: 'operator',
    tag,
    summary: 'Put one event through processing again (idempotent)',
    params: EventParams,
    response: ReplayOne,
    handle: ({ params }) => replayEvent(deps, params.eventId),
  }),
  route({
    method: 'post',
    path: '/admin/v1/events/replay',
    role: 'operator',
    tag,
    summary: 'Replay the events matching a filter; dry_run (the default) only counts them',
    body: ReplayBody,
    response: ReplayMany,
    handle: ({ body }) => {
      const { dry_run, ...filter } = body;
      return replayEvents(deps, filter, dry_run);
    },
  }),
];
