// A customer's sources (the older Cards API): `source` on customer create/update, and
// /v1/customers/:id/sources to add, update, list and delete cards made from test tokens. A card
// source is also usable where a PaymentMethod is (invoices and subscriptions charge it).
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, type StoredObject } from '../state.ts';
import { testCard } from '../test-cards.ts';
import type { Route } from '../router.ts';
import { findIn, integerParam } from './crud.ts';
import { paymentMethodForSource } from './payment-methods.ts';

const RESOURCE = 'source';

/** Adds a card made from a test token to the customer; the first becomes its default source. */
export function addSource(
  ctx: RequestContext,
  customer: StoredObject,
  token: string,
  param = 'source',
) {
  const card = testCard(token);
  if (!card) throw missing('source', token, param);
  const id = newId('card');
  const source: StoredObject = {
    id,
    object: 'card',
    address_city: null,
    address_country: null,
    address_line1: null,
    address_line1_check: null,
    address_zip: null,
    address_zip_check: null,
    brand:
      card.brand === 'amex'
        ? 'American Express'
        : card.brand[0]!.toUpperCase() + card.brand.slice(1),
    country: 'US',
    created: Math.floor(Date.now() / 1000),
    customer: customer.id,
    cvc_check: 'pass',
    exp_month: 12,
    exp_year: 2034,
    fingerprint: `fp${card.last4}${card.brand}`,
    funding: 'credit',
    last4: card.last4,
    metadata: {},
    name: null,
    tokenization_method: null,
  };
  ctx.state.insert(ctx.account, RESOURCE, source);
  paymentMethodForSource(ctx, card, id, customer.id);
  emit(ctx, 'customer.source.created', source);
  if (!customer.default_source) {
    customer.default_source = id;
    emit(ctx, 'customer.updated', customer, { default_source: null });
  }
  return source;
}

function findSource(ctx: RequestContext, customer: string, id: string) {
  const source = ctx.state.get(ctx.account, RESOURCE, id);
  if (!source || source.customer !== customer) throw missing('source', id);
  return source;
}

export const sourceRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/customers/:id/sources',
    handle: (ctx, { id }) => {
      const customer = findIn(ctx, 'customer', id!, 'customer');
      const token = str(ctx.params.source, 'source');
      if (!token)
        throw invalidParam('source', 'Missing required param: source.', 'parameter_missing');
      const source = addSource(ctx, customer, token);
      source.metadata = metadataParam(ctx.params.metadata);
      return source;
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id/sources/:source',
    handle: (ctx, { id, source }) => findSource(ctx, id!, source!),
  },
  {
    method: 'POST',
    path: '/v1/customers/:id/sources/:source',
    handle: (ctx, { id, source: sourceId }) => {
      const source = findSource(ctx, id!, sourceId!);
      const previous: Record<string, unknown> = {};
      for (const field of [
        'name',
        'address_city',
        'address_country',
        'address_line1',
        'address_zip',
      ]) {
        if (ctx.params[field] === undefined) continue;
        previous[field] = source[field];
        source[field] = str(ctx.params[field], field);
      }
      for (const field of ['exp_month', 'exp_year']) {
        if (ctx.params[field] === undefined) continue;
        previous[field] = source[field];
        source[field] = integerParam(ctx.params[field], field);
      }
      if (ctx.params.metadata !== undefined) {
        previous.metadata = source.metadata;
        source.metadata = metadataParam(
          ctx.params.metadata,
          source.metadata as Record<string, string>,
        );
      }
      if (Object.keys(previous).length > 0) emit(ctx, 'customer.source.updated', source, previous);
      return source;
    },
  },
  {
    method: 'DELETE',
    path: '/v1/customers/:id/sources/:source',
    handle: (ctx, { id, source: sourceId }) => {
      const source = findSource(ctx, id!, sourceId!);
      ctx.state.remove(ctx.account, RESOURCE, source.id);
      ctx.state.remove(ctx.account, 'payment_method', source.id);
      const customer = ctx.state.get(ctx.account, 'customer', id!);
      if (customer?.default_source === source.id) customer.default_source = null;
      emit(ctx, 'customer.source.deleted', source);
      return { id: source.id, object: 'card', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id/sources',
    handle: (ctx, { id }) => {
      findIn(ctx, 'customer', id!, 'customer');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: `/v1/customers/${id}/sources`,
        kind: 'source',
        where: (s) => s.customer === id,
      });
    },
  },
];
