// One definition per plain resource (products, prices, plans, coupons, promotion codes, tax
// rates, payment links, portal configurations): create, retrieve, update, list and, where Stripe
// allows it, delete — each change emitting `<event>.created|updated|deleted` as Stripe does.
import { emit, metadataParam, str, type Params, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';

export interface PlainResource {
  /** Store key and `object` value (`product`, `billing_portal.configuration`). */
  object: string;
  /** `/v1/products` */
  path: string;
  /** Id prefix (`prod`); null when the caller may choose the id (`id` param) or one is made. */
  prefix: string;
  /** The event name's stem (`product` → product.created). */
  event: string;
  /** What a 404 calls it (`product`). */
  kind: string;
  /** The resource's own fields from the create request (validated; throw invalidParam). */
  build: (ctx: RequestContext, id: string) => Record<string, unknown>;
  /** Scalar fields an update may change (strings and booleans as Stripe sends them). */
  updatable: string[];
  /** Update hook for non-scalar fields; returns previous values it changed. */
  update?: (ctx: RequestContext, o: StoredObject) => Record<string, unknown>;
  deletable?: boolean;
  /** Throws when Stripe refuses to delete this object. */
  beforeDelete?: (ctx: RequestContext, o: StoredObject) => void;
  /** A list filter from the list request's parameters. */
  where?: (params: Params) => ((o: StoredObject) => boolean) | undefined;
  /** Ids chosen by the caller (`id` param) are allowed (coupons, plans, products). */
  customId?: boolean;
}

export function required(ctx: RequestContext, param: string): string {
  const v = str(ctx.params[param], param);
  if (v === null)
    throw invalidParam(param, `Missing required param: ${param}.`, 'parameter_missing');
  return v;
}

export function integerParam(v: unknown, param: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  if (typeof v === 'boolean' || !Number.isInteger(n)) {
    throw invalidParam(param, `Invalid integer: ${JSON.stringify(v)}`, 'parameter_invalid_integer');
  }
  return n;
}

export function booleanParam(v: unknown, param: string): boolean | null {
  if (v === undefined || v === '') return null;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidParam(param, `Invalid boolean: ${JSON.stringify(v)}`, 'parameter_invalid_boolean');
}

export function findIn(
  ctx: RequestContext,
  object: string,
  id: string,
  kind = object,
  param = 'id',
) {
  const o = ctx.state.get(ctx.account, object, id);
  if (!o) throw missing(kind, id, param);
  return o;
}

/** Creates one object of a plain resource (used by routes and by other resources' inline forms). */
export function createPlain(def: PlainResource, ctx: RequestContext): StoredObject {
  const custom = def.customId ? str(ctx.params.id, 'id') : null;
  if (custom && ctx.state.get(ctx.account, def.object, custom)) {
    throw invalidParam('id', `${def.kind} already exists.`, 'resource_already_exists');
  }
  const id = custom ?? newId(def.prefix, def.prefix === 'prod' ? 14 : 24);
  const o: StoredObject = {
    id,
    object: def.object,
    created: nowSeconds(),
    livemode: ctx.livemode,
    ...def.build(ctx, id),
    metadata: metadataParam(ctx.params.metadata),
  };
  ctx.state.insert(ctx.account, def.object, o);
  emit(ctx, `${def.event}.created`, o);
  return o;
}

export function plainRoutes(def: PlainResource): Route[] {
  const routes: Route[] = [
    { method: 'POST', path: def.path, handle: (ctx) => createPlain(def, ctx) },
    {
      method: 'GET',
      path: `${def.path}/:id`,
      handle: (ctx, { id }) => findIn(ctx, def.object, id!, def.kind),
    },
    {
      method: 'POST',
      path: `${def.path}/:id`,
      handle: (ctx, { id }) => {
        const o = findIn(ctx, def.object, id!, def.kind);
        const previous: Record<string, unknown> = def.update?.(ctx, o) ?? {};
        for (const field of def.updatable) {
          const raw = ctx.params[field];
          if (raw === undefined) continue;
          const next = typeof o[field] === 'boolean' ? booleanParam(raw, field) : str(raw, field);
          if (next !== o[field]) {
            previous[field] = o[field];
            o[field] = next;
          }
        }
        if (ctx.params.metadata !== undefined) {
          previous.metadata = o.metadata;
          o.metadata = metadataParam(ctx.params.metadata, o.metadata as Record<string, string>);
        }
        if (Object.keys(previous).length > 0) {
          if ('updated' in o) o.updated = nowSeconds();
          emit(ctx, `${def.event}.updated`, o, previous);
        }
        return o;
      },
    },
    {
      method: 'GET',
      path: def.path,
      handle: (ctx) =>
        list(ctx.state, ctx.account, def.object, ctx.params, {
          url: def.path,
          kind: def.kind,
          where: def.where?.(ctx.params),
        }),
    },
  ];
  if (def.deletable) {
    routes.push({
      method: 'DELETE',
      path: `${def.path}/:id`,
      handle: (ctx, { id }) => {
        const o = findIn(ctx, def.object, id!, def.kind);
        def.beforeDelete?.(ctx, o);
        ctx.state.remove(ctx.account, def.object, id!);
        emit(ctx, `${def.event}.deleted`, o);
        return { id, object: def.object, deleted: true };
      },
    });
  }
  return routes;
}
