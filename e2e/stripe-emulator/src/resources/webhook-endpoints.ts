// Webhook endpoints: CRUD with a `whsec_` signing secret shown only on creation (as Stripe does).
import { randomBytes } from 'node:crypto';
import { metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';

const RESOURCE = 'webhook_endpoint';

function find(ctx: RequestContext, id: string) {
  const e = ctx.state.get(ctx.account, RESOURCE, id);
  if (!e) throw missing('webhook_endpoint', id);
  return e;
}

/** What the API shows: everything but the secret. */
function shown(e: StoredObject) {
  // `connect` is the emulator's own routing flag; Stripe's object does not show it.
  const { secret: _secret, connect: _connect, ...rest } = e;
  return rest;
}

function events(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidParam(
      'enabled_events',
      'Missing required param: enabled_events.',
      'parameter_missing',
    );
  }
  return value.map((v) => str(v, 'enabled_events') ?? '');
}

export const webhookEndpointRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/webhook_endpoints',
    handle: (ctx) => {
      const url = str(ctx.params.url, 'url');
      if (!url || !/^https?:\/\//.test(url))
        throw invalidParam('url', 'Invalid URL: must be an http(s) URL.', 'url_invalid');
      const endpoint: StoredObject = {
        id: newId('we'),
        object: 'webhook_endpoint',
        api_version: str(ctx.params.api_version, 'api_version'),
        application: null,
        created: nowSeconds(),
        description: str(ctx.params.description, 'description'),
        enabled_events: events(ctx.params.enabled_events),
        livemode: ctx.livemode,
        metadata: metadataParam(ctx.params.metadata),
        status: 'enabled',
        url,
        connect: ctx.params.connect === 'true' || ctx.params.connect === true,
        secret: `whsec_${randomBytes(24).toString('hex')}`,
      };
      ctx.state.insert(ctx.account, RESOURCE, endpoint);
      return { ...shown(endpoint), secret: endpoint.secret };
    },
  },
  {
    method: 'GET',
    path: '/v1/webhook_endpoints/:id',
    handle: (ctx, { id }) => shown(find(ctx, id!)),
  },
  {
    method: 'POST',
    path: '/v1/webhook_endpoints/:id',
    handle: (ctx, { id }) => {
      const e = find(ctx, id!);
      if (ctx.params.url !== undefined) e.url = str(ctx.params.url, 'url');
      if (ctx.params.enabled_events !== undefined)
        e.enabled_events = events(ctx.params.enabled_events);
      if (ctx.params.disabled !== undefined)
        e.status = ctx.params.disabled === 'true' ? 'disabled' : 'enabled';
      if (ctx.params.metadata !== undefined)
        e.metadata = metadataParam(ctx.params.metadata, e.metadata as Record<string, string>);
      return shown(e);
    },
  },
  {
    method: 'DELETE',
    path: '/v1/webhook_endpoints/:id',
    handle: (ctx, { id }) => {
      find(ctx, id!);
      ctx.state.remove(ctx.account, RESOURCE, id!);
      return { id, object: 'webhook_endpoint', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/webhook_endpoints',
    handle: (ctx) => {
      const page = list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/webhook_endpoints',
        kind: 'webhook_endpoint',
      });
      return { ...page, data: page.data.map(shown) };
    },
  },
];
