import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';

const RESOURCE = 'customer';

function find(ctx: RequestContext, id: string) {
  const c = ctx.state.get(ctx.account, RESOURCE, id);
  if (!c) throw missing('customer', id);
  return c;
}

export function createCustomerObject(ctx: RequestContext): StoredObject {
  const p = ctx.params;
  const customer: StoredObject = {
    id: newId('cus', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: nowSeconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: str(p.description),
    discount: null,
    email: str(p.email),
    invoice_prefix: newId('X', 8).slice(2).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: ctx.livemode,
    metadata: metadataParam(p.metadata),
    name: str(p.name),
    next_invoice_sequence: 1,
    phone: str(p.phone),
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  ctx.state.insert(ctx.account, RESOURCE, customer);
  emit(ctx, 'customer.created', customer);
  return customer;
}

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/customers',
    handle: (ctx) => createCustomerObject(ctx),
  },
  { method: 'GET', path: '/v1/customers/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/customers/:id',
    handle: (ctx, { id }) => {
      const customer = find(ctx, id!);
      const previous: Record<string, unknown> = {};
      for (const field of ['email', 'name', 'description', 'phone'] as const) {
        if (ctx.params[field] !== undefined && str(ctx.params[field]) !== customer[field]) {
          previous[field] = customer[field];
          customer[field] = str(ctx.params[field]);
        }
      }
      if (ctx.params.metadata !== undefined) {
        previous.metadata = customer.metadata;
        customer.metadata = metadataParam(
          ctx.params.metadata,
          customer.metadata as Record<string, string>,
        );
      }
      if (Object.keys(previous).length > 0) emit(ctx, 'customer.updated', customer, previous);
      return customer;
    },
  },
  {
    method: 'DELETE',
    path: '/v1/customers/:id',
    handle: (ctx, { id }) => {
      const customer = find(ctx, id!);
      ctx.state.remove(ctx.account, RESOURCE, id!);
      emit(ctx, 'customer.deleted', customer);
      return { id, object: 'customer', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers',
    handle: (ctx) => {
      const email = str(ctx.params.email);
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/customers',
        kind: 'customer',
        where: email ? (c) => c.email === email : undefined,
      });
    },
  },
];
