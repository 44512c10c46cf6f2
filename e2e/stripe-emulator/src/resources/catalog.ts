// The catalogue Billing and Checkout sell from: products, prices (one-off and recurring) and the
// older plans (a plan is also a recurring price with the same id, as at Stripe).
import { str, type RequestContext } from '../context.ts';
import { invalidParam, missing, StripeApiError } from '../errors.ts';
import type { StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import {
  booleanParam,
  createPlain,
  findIn,
  integerParam,
  plainRoutes,
  required,
  type PlainResource,
} from './crud.ts';

const INTERVALS = ['day', 'week', 'month', 'year'];

export const PRODUCT: PlainResource = {
  object: 'product',
  path: '/v1/products',
  prefix: 'prod',
  event: 'product',
  kind: 'product',
  customId: true,
  build: (ctx) => ({
    active: booleanParam(ctx.params.active, 'active') ?? true,
    default_price: null,
    description: str(ctx.params.description, 'description'),
    images: [],
    marketing_features: [],
    name: required(ctx, 'name'),
    package_dimensions: null,
    shippable: null,
    statement_descriptor: str(ctx.params.statement_descriptor, 'statement_descriptor'),
    tax_code: null,
    unit_label: null,
    updated: Math.floor(Date.now() / 1000),
    url: null,
  }),
  updatable: ['name', 'description', 'active', 'statement_descriptor'],
  deletable: true,
  beforeDelete: (ctx, product) => {
    const priced = [...ctx.state.newestFirst(ctx.account, 'price')].some(
      (p) => p.product === product.id,
    );
    if (priced) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        'This product cannot be deleted because it has one or more user-created prices.',
        'product_has_prices',
      );
    }
  },
  where: (p) => {
    const active = booleanParam(p.active, 'active');
    return active === null ? undefined : (o) => o.active === active;
  },
};

/** The product a price or plan names, or one made from `product_data` / an inline `product`. */
function productFor(ctx: RequestContext, inlineParam: 'product_data' | 'product'): string {
  const named = ctx.params.product;
  if (typeof named === 'string' && named !== '')
    return findIn(ctx, 'product', named, 'product', 'product').id;
  const inline = (inlineParam === 'product' ? named : ctx.params.product_data) as
    Record<string, unknown> | undefined;
  if (inline && typeof inline === 'object') {
    return createPlain(PRODUCT, { ...ctx, params: inline }).id;
  }
  throw invalidParam('product', 'Missing required param: product.', 'parameter_missing');
}

function recurringParam(v: unknown) {
  if (v === undefined || v === '') return null;
  if (typeof v !== 'object' || v === null) throw invalidParam('recurring', 'Invalid object');
  const r = v as Record<string, unknown>;
  const interval = str(r.interval, 'recurring[interval]');
  if (!interval || !INTERVALS.includes(interval)) {
    throw invalidParam(
      'recurring[interval]',
      `Invalid recurring[interval]: must be one of ${INTERVALS.join(', ')}`,
    );
  }
  return {
    interval,
    interval_count: integerParam(r.interval_count, 'recurring[interval_count]') ?? 1,
    meter: null,
    trial_period_days: null,
    usage_type: str(r.usage_type, 'recurring[usage_type]') ?? 'licensed',
  };
}

function currencyParam(ctx: RequestContext) {
  return required(ctx, 'currency').toLowerCase();
}

export const PRICE: PlainResource = {
  object: 'price',
  path: '/v1/prices',
  prefix: 'price',
  event: 'price',
  kind: 'price',
  build: (ctx) => {
    const recurring = recurringParam(ctx.params.recurring);
    const unitAmount = integerParam(ctx.params.unit_amount, 'unit_amount');
    if (unitAmount === null && str(ctx.params.custom_unit_amount) === null) {
      throw invalidParam(
        'unit_amount',
        'Missing required param: unit_amount.',
        'parameter_missing',
      );
    }
    if (unitAmount !== null && unitAmount < 0) {
      throw invalidParam(
        'unit_amount',
        'This value must be greater than or equal to 0.',
        'parameter_invalid_integer',
      );
    }
    return {
      active: booleanParam(ctx.params.active, 'active') ?? true,
      billing_scheme: 'per_unit',
      currency: currencyParam(ctx),
      custom_unit_amount: null,
      lookup_key: str(ctx.params.lookup_key, 'lookup_key'),
      nickname: str(ctx.params.nickname, 'nickname'),
      product: productFor(ctx, 'product_data'),
      recurring,
      tax_behavior: 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? 'recurring' : 'one_time',
      unit_amount: unitAmount,
      unit_amount_decimal: unitAmount === null ? null : String(unitAmount),
    };
  },
  updatable: ['active', 'nickname', 'lookup_key'],
  where: (p) => {
    const product = str(p.product, 'product');
    const type = str(p.type, 'type');
    return (o) => (!product || o.product === product) && (!type || o.type === type);
  },
};

export const PLAN: PlainResource = {
  object: 'plan',
  path: '/v1/plans',
  prefix: 'plan',
  event: 'plan',
  kind: 'plan',
  customId: true,
  build: (ctx) => {
    const amount = integerParam(ctx.params.amount, 'amount');
    if (amount === null)
      throw invalidParam('amount', 'Missing required param: amount.', 'parameter_missing');
    const interval = required(ctx, 'interval');
    if (!INTERVALS.includes(interval)) {
      throw invalidParam('interval', `Invalid interval: must be one of ${INTERVALS.join(', ')}`);
    }
    return {
      active: booleanParam(ctx.params.active, 'active') ?? true,
      amount,
      amount_decimal: String(amount),
      billing_scheme: 'per_unit',
      currency: currencyParam(ctx),
      interval,
      interval_count: integerParam(ctx.params.interval_count, 'interval_count') ?? 1,
      nickname: str(ctx.params.nickname, 'nickname'),
      product: productFor(ctx, 'product'),
      tiers_mode: null,
      transform_usage: null,
      trial_period_days: null,
      usage_type: 'licensed',
    };
  },
  updatable: ['active', 'nickname'],
  deletable: true,
};

/** A price by id: a price, or a plan read as the recurring price it is. */
export function resolvePrice(ctx: RequestContext, id: string, param = 'price'): StoredObject {
  const price = ctx.state.get(ctx.account, 'price', id);
  if (price) return price;
  const plan = ctx.state.get(ctx.account, 'plan', id);
  if (!plan) throw missing('price', id, param);
  return {
    id: plan.id,
    object: 'price',
    active: plan.active,
    billing_scheme: 'per_unit',
    created: plan.created,
    currency: plan.currency,
    livemode: plan.livemode,
    lookup_key: null,
    metadata: plan.metadata,
    nickname: plan.nickname,
    product: plan.product,
    recurring: {
      interval: plan.interval,
      interval_count: plan.interval_count,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    tax_behavior: 'unspecified',
    type: 'recurring',
    unit_amount: plan.amount,
    unit_amount_decimal: String(plan.amount),
  };
}

export const catalogRoutes: Route[] = [
  ...plainRoutes(PRODUCT),
  ...plainRoutes(PRICE),
  ...plainRoutes(PLAN),
];
