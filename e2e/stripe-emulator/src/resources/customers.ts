import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { applyCustomerCoupon } from './promotions.ts';
import { addSource } from './sources.ts';
import { attach, resolvePaymentMethod } from './payment-methods.ts';
import { fundCashBalance } from './cash-balance.ts';

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
    test_clock: str(p.test_clock, 'test_clock'),
  };
  if (
    customer.test_clock &&
    !ctx.state.get(ctx.account, 'test_helpers.test_clock', customer.test_clock as string)
  ) {
    throw missing('test_clock', customer.test_clock as string, 'test_clock');
  }
  ctx.state.insert(ctx.account, RESOURCE, customer);
  emit(ctx, 'customer.created', customer);
  billingSettings(ctx, customer);
  return customer;
}

/** What create and update share: a card source, a payment method, the default, a coupon. */
function billingSettings(ctx: RequestContext, customer: StoredObject): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  const token = str(ctx.params.source, 'source');
  if (token) addSource(ctx, customer, token);
  const pm = str(ctx.params.payment_method, 'payment_method');
  const attached = pm ? attach(ctx, resolvePaymentMethod(ctx, pm), customer.id) : null;
  const defaultSource = str(ctx.params.default_source, 'default_source');
  if (defaultSource) {
    const source = ctx.state.get(ctx.account, 'source', defaultSource);
    if (!source || source.customer !== customer.id)
      throw missing('source', defaultSource, 'default_source');
    previous.default_source = customer.default_source;
    customer.default_source = defaultSource;
  }
  const settings = ctx.params.invoice_settings as Record<string, unknown> | undefined;
  if (settings && typeof settings === 'object' && settings.default_payment_method !== undefined) {
    const named = str(settings.default_payment_method, 'invoice_settings[default_payment_method]');
    // The test id just attached (`pm_card_visa`) names the PaymentMethod it became.
    const id = attached && named === pm ? attached.id : named;
    if (id) {
      const found = ctx.state.get(ctx.account, 'payment_method', id);
      if (!found || found.customer !== customer.id) {
        throw invalidParam(
          'invoice_settings[default_payment_method]',
          `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
          'resource_missing',
        );
      }
    }
    const current = customer.invoice_settings as Record<string, unknown>;
    previous.invoice_settings = { ...current };
    customer.invoice_settings = { ...current, default_payment_method: id };
  }
  applyCustomerCoupon(ctx, customer);
  return previous;
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
      const previous: Record<string, unknown> = billingSettings(ctx, customer);
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
    method: 'POST',
    path: '/v1/test_helpers/customers/:id/fund_cash_balance',
    handle: (ctx, { id }) => fundCashBalance(ctx, find(ctx, id!)),
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
