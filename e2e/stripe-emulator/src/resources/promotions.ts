// What Billing prices with besides the catalogue: coupons (and a customer's discount), promotion
// codes and tax rates; and what it sells through: payment links and the customer portal.
import { emit, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import {
  booleanParam,
  findIn,
  integerParam,
  plainRoutes,
  required,
  type PlainResource,
} from './crud.ts';
import { resolvePrice } from './catalog.ts';

const COUPON: PlainResource = {
  object: 'coupon',
  path: '/v1/coupons',
  prefix: 'cpn',
  event: 'coupon',
  kind: 'coupon',
  customId: true,
  build: (ctx) => {
    const percentOff = ctx.params.percent_off === undefined ? null : Number(ctx.params.percent_off);
    const amountOff = integerParam(ctx.params.amount_off, 'amount_off');
    if ((percentOff === null) === (amountOff === null)) {
      throw invalidParam('percent_off', 'You must pass exactly one of percent_off or amount_off.');
    }
    if (percentOff !== null && !(percentOff > 0 && percentOff <= 100)) {
      throw invalidParam('percent_off', 'percent_off must be greater than 0 and at most 100.');
    }
    const currency = str(ctx.params.currency, 'currency');
    if (amountOff !== null && !currency) {
      throw invalidParam(
        'currency',
        'You must pass a currency with amount_off.',
        'parameter_missing',
      );
    }
    const duration = str(ctx.params.duration, 'duration') ?? 'once';
    if (!['once', 'repeating', 'forever'].includes(duration)) {
      throw invalidParam('duration', 'Invalid duration: must be one of once, repeating, forever');
    }
    return {
      amount_off: amountOff,
      currency: currency?.toLowerCase() ?? null,
      duration,
      duration_in_months: integerParam(ctx.params.duration_in_months, 'duration_in_months'),
      max_redemptions: integerParam(ctx.params.max_redemptions, 'max_redemptions'),
      name: str(ctx.params.name, 'name'),
      percent_off: percentOff,
      redeem_by: integerParam(ctx.params.redeem_by, 'redeem_by'),
      times_redeemed: 0,
      valid: true,
    };
  },
  updatable: ['name'],
  deletable: true,
};

function couponId(ctx: RequestContext): string {
  const promotion = ctx.params.promotion as Record<string, unknown> | undefined;
  const id = str(ctx.params.coupon, 'coupon') ?? str(promotion?.coupon, 'promotion[coupon]');
  if (!id)
    throw invalidParam(
      'promotion[coupon]',
      'Missing required param: promotion[coupon].',
      'parameter_missing',
    );
  return findIn(ctx, 'coupon', id, 'coupon', 'coupon').id;
}

const PROMOTION_CODE: PlainResource = {
  object: 'promotion_code',
  path: '/v1/promotion_codes',
  prefix: 'promo',
  event: 'promotion_code',
  kind: 'promotion code',
  build: (ctx) => {
    const coupon = couponId(ctx);
    return {
      active: booleanParam(ctx.params.active, 'active') ?? true,
      code: str(ctx.params.code, 'code') ?? newId('X', 8).slice(2).toUpperCase(),
      customer: str(ctx.params.customer, 'customer'),
      expires_at: integerParam(ctx.params.expires_at, 'expires_at'),
      max_redemptions: integerParam(ctx.params.max_redemptions, 'max_redemptions'),
      promotion: { coupon, type: 'coupon' },
      restrictions: { first_time_transaction: false, minimum_amount: null },
      times_redeemed: 0,
    };
  },
  updatable: ['active'],
};

const TAX_RATE: PlainResource = {
  object: 'tax_rate',
  path: '/v1/tax_rates',
  prefix: 'txr',
  event: 'tax_rate',
  kind: 'tax rate',
  build: (ctx) => {
    const percentage = Number(required(ctx, 'percentage'));
    if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
      throw invalidParam('percentage', 'percentage must be between 0 and 100.');
    }
    const inclusive = booleanParam(ctx.params.inclusive, 'inclusive');
    if (inclusive === null)
      throw invalidParam('inclusive', 'Missing required param: inclusive.', 'parameter_missing');
    return {
      active: booleanParam(ctx.params.active, 'active') ?? true,
      country: str(ctx.params.country, 'country'),
      description: str(ctx.params.description, 'description'),
      display_name: required(ctx, 'display_name'),
      effective_percentage: percentage,
      inclusive,
      jurisdiction: str(ctx.params.jurisdiction, 'jurisdiction'),
      percentage,
      state: str(ctx.params.state, 'state'),
      tax_type: str(ctx.params.tax_type, 'tax_type'),
    };
  },
  updatable: ['active', 'display_name', 'description', 'jurisdiction'],
};

/** `line_items[n][price]` + quantity, as payment links and Checkout take them. */
export function priceLines(ctx: RequestContext, raw: unknown) {
  const items = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
  if (items.length === 0)
    throw invalidParam('line_items', 'Missing required param: line_items.', 'parameter_missing');
  return items.map((item: Record<string, unknown>, i) => {
    const priceId = str(item.price, `line_items[${i}][price]`);
    if (!priceId)
      throw invalidParam(
        `line_items[${i}][price]`,
        'Missing required param: price.',
        'parameter_missing',
      );
    const price = resolvePrice(ctx, priceId, `line_items[${i}][price]`);
    return { price, quantity: integerParam(item.quantity, `line_items[${i}][quantity]`) ?? 1 };
  });
}

const PAYMENT_LINK: PlainResource = {
  object: 'payment_link',
  path: '/v1/payment_links',
  prefix: 'plink',
  event: 'payment_link',
  kind: 'payment link',
  build: (ctx, id) => {
    const lines = priceLines(ctx, ctx.params.line_items);
    Object.defineProperty(ctx.params, 'lines', { value: lines, enumerable: false });
    return {
      active: true,
      after_completion: {
        hosted_confirmation: { custom_message: null },
        type: 'hosted_confirmation',
      },
      allow_promotion_codes:
        booleanParam(ctx.params.allow_promotion_codes, 'allow_promotion_codes') ?? false,
      currency: lines[0]!.price.currency,
      line_items: {
        object: 'list',
        data: lines.map(({ price, quantity }) => ({
          id: newId('li'),
          object: 'item',
          amount_total: Number(price.unit_amount) * quantity,
          currency: price.currency,
          price,
          quantity,
        })),
        has_more: false,
        url: `/v1/payment_links/${id}/line_items`,
      },
      url: `${ctx.state.baseUrl}/pl/${id}`,
    };
  },
  updatable: ['active', 'allow_promotion_codes'],
};

const PORTAL_CONFIGURATION: PlainResource = {
  object: 'billing_portal.configuration',
  path: '/v1/billing_portal/configurations',
  prefix: 'bpc',
  event: 'billing_portal.configuration',
  kind: 'configuration',
  build: (ctx) => {
    if (ctx.params.features === undefined) {
      throw invalidParam('features', 'Missing required param: features.', 'parameter_missing');
    }
    return {
      active: true,
      business_profile: ctx.params.business_profile ?? {
        headline: null,
        privacy_policy_url: null,
        terms_of_service_url: null,
      },
      default_return_url: str(ctx.params.default_return_url, 'default_return_url'),
      features: ctx.params.features,
      is_default: false,
      updated: nowSeconds(),
    };
  },
  updatable: ['active', 'default_return_url'],
};

function setDiscount(ctx: RequestContext, customer: StoredObject, couponParam: string | null) {
  const previous = customer.discount as StoredObject | null;
  if (couponParam === '') {
    if (!previous) return;
    customer.discount = null;
    emit(ctx, 'customer.discount.deleted', previous);
    return;
  }
  if (!couponParam) return;
  const coupon = findIn(ctx, 'coupon', couponParam, 'coupon', 'coupon');
  coupon.times_redeemed = Number(coupon.times_redeemed) + 1;
  const discount = {
    id: newId('di'),
    object: 'discount',
    coupon,
    customer: customer.id,
    end: null,
    invoice: null,
    invoice_item: null,
    promotion_code: null,
    start: nowSeconds(),
    subscription: null,
  } as unknown as StoredObject;
  customer.discount = discount;
  if (previous) {
    emit(ctx, 'customer.discount.updated', discount, {
      coupon: previous.coupon,
    });
  } else emit(ctx, 'customer.discount.created', discount);
}

/** A customer's `coupon` parameter (create or update) becomes its discount. */
export function applyCustomerCoupon(ctx: RequestContext, customer: StoredObject) {
  // An empty `coupon` removes the discount.
  setDiscount(ctx, customer, ctx.params.coupon === '' ? '' : str(ctx.params.coupon, 'coupon'));
}

export const promotionRoutes: Route[] = [
  ...plainRoutes(COUPON),
  ...plainRoutes(PROMOTION_CODE),
  ...plainRoutes(TAX_RATE),
  ...plainRoutes(PAYMENT_LINK),
  ...plainRoutes(PORTAL_CONFIGURATION),
  {
    method: 'POST',
    path: '/v1/billing_portal/sessions',
    handle: (ctx) => {
      const customer = required(ctx, 'customer');
      if (!ctx.state.get(ctx.account, 'customer', customer))
        throw missing('customer', customer, 'customer');
      const id = newId('bps');
      const session: StoredObject = {
        id,
        object: 'billing_portal.session',
        configuration: str(ctx.params.configuration, 'configuration'),
        created: nowSeconds(),
        customer,
        flow: null,
        livemode: ctx.livemode,
        locale: null,
        on_behalf_of: null,
        return_url: str(ctx.params.return_url, 'return_url'),
        url: `${ctx.state.baseUrl}/p/session/${id}`,
      };
      ctx.state.insert(ctx.account, 'billing_portal.session', session);
      emit(ctx, 'billing_portal.session.created', session);
      return session;
    },
  },
  {
    method: 'DELETE',
    path: '/v1/customers/:id/discount',
    handle: (ctx, { id }) => {
      const customer = findIn(ctx, 'customer', id!, 'customer');
      const discount = customer.discount as StoredObject | null;
      if (!discount) throw missing('discount', id!);
      customer.discount = null;
      emit(ctx, 'customer.discount.deleted', discount);
      return { id: discount.id, object: 'discount', deleted: true };
    },
  },
];
