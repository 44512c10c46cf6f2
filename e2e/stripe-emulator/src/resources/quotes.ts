// Quotes: a draft with priced line items for a customer, finalized (open, numbered), then accepted
// — recurring prices start a subscription, one-off ones become a draft invoice — or canceled.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { findIn } from './crud.ts';
import { priceLines } from './promotions.ts';
import { createSubscriptionFor } from './subscriptions.ts';
import { createInvoiceObject } from './invoices.ts';

const RESOURCE = 'quote';
const PATH = '/v1/quotes';

type Line = ReturnType<typeof priceLines>[number];
const linesOf = (q: StoredObject) => (q as unknown as { lines: Line[] }).lines;

function setLines(q: StoredObject, lines: Line[]) {
  Object.defineProperty(q, 'lines', { value: lines, enumerable: false, writable: true });
  const total = lines.reduce((n, l) => n + Number(l.price.unit_amount) * l.quantity, 0);
  q.amount_subtotal = total;
  q.amount_total = total;
  q.currency = lines[0]?.price.currency ?? q.currency;
}

function expectStatus(q: StoredObject, status: string, action: string) {
  if (q.status !== status) {
    throw invalidParam(
      'quote',
      `You can only ${action} a quote whose status is ${status}; this one is ${String(q.status)}.`,
      'quote_unexpected_state',
    );
  }
}

export const quoteRoutes: Route[] = [
  {
    method: 'POST',
    path: PATH,
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      if (customer) findIn(ctx, 'customer', customer, 'customer', 'customer');
      const now = nowSeconds();
      const id = newId('qt');
      const quote: StoredObject = {
        id,
        object: RESOURCE,
        amount_subtotal: 0,
        amount_total: 0,
        application: null,
        collection_method: str(ctx.params.collection_method) ?? 'charge_automatically',
        created: now,
        currency: null,
        customer,
        description: str(ctx.params.description, 'description'),
        expires_at: now + 30 * 86_400,
        invoice: null,
        livemode: ctx.livemode,
        metadata: metadataParam(ctx.params.metadata),
        number: null,
        status: 'draft',
        status_transitions: { accepted_at: null, canceled_at: null, finalized_at: null },
        subscription: null,
      };
      setLines(quote, priceLines(ctx, ctx.params.line_items));
      ctx.state.insert(ctx.account, RESOURCE, quote);
      emit(ctx, 'quote.created', quote);
      return quote;
    },
  },
  {
    method: 'GET',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => findIn(ctx, RESOURCE, id!, 'quote'),
  },
  {
    method: 'POST',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => {
      const quote = findIn(ctx, RESOURCE, id!, 'quote');
      expectStatus(quote, 'draft', 'update');
      if (ctx.params.description !== undefined) quote.description = str(ctx.params.description);
      if (ctx.params.metadata !== undefined)
        quote.metadata = metadataParam(
          ctx.params.metadata,
          quote.metadata as Record<string, string>,
        );
      if (ctx.params.line_items !== undefined)
        setLines(quote, priceLines(ctx, ctx.params.line_items));
      return quote;
    },
  },
  {
    method: 'POST',
    path: `${PATH}/:id/finalize`,
    handle: (ctx, { id }) => {
      const quote = findIn(ctx, RESOURCE, id!, 'quote');
      expectStatus(quote, 'draft', 'finalize');
      if (!quote.customer) {
        throw invalidParam(
          'customer',
          'A quote needs a customer before it can be finalized.',
          'parameter_missing',
        );
      }
      quote.status = 'open';
      quote.number = `QT-${quote.id.slice(3, 11).toUpperCase()}-1`;
      (quote.status_transitions as Record<string, unknown>).finalized_at = nowSeconds();
      emit(ctx, 'quote.finalized', quote, { status: 'draft' });
      return quote;
    },
  },
  {
    method: 'POST',
    path: `${PATH}/:id/accept`,
    handle: (ctx, { id }) => {
      const quote = findIn(ctx, RESOURCE, id!, 'quote');
      expectStatus(quote, 'open', 'accept');
      const lines = linesOf(quote);
      const recurring = lines.filter((l) => l.price.type === 'recurring');
      if (recurring.length > 0) {
        const sub = createSubscriptionFor(ctx, {
          customer: quote.customer,
          items: recurring.map((l) => ({ price: l.price.id, quantity: l.quantity })),
          metadata: quote.metadata,
        });
        quote.subscription = sub.id;
        quote.invoice = sub.latest_invoice;
      } else {
        const customer = findIn(ctx, 'customer', quote.customer as string, 'customer');
        const invoiceId = newId('in');
        createInvoiceObject(ctx, customer, invoiceId, {
          lines: lines.map((l) => ({
            id: newId('il'),
            object: 'line_item',
            amount: Number(l.price.unit_amount) * l.quantity,
            currency: l.price.currency,
            description: null,
            invoice: invoiceId,
            quantity: l.quantity,
          })),
          total: Number(quote.amount_total),
          currency: quote.currency as string,
          collection: quote.collection_method as string,
          description: quote.description as string | null,
          metadata: {},
        });
        quote.invoice = invoiceId;
      }
      quote.status = 'accepted';
      (quote.status_transitions as Record<string, unknown>).accepted_at = nowSeconds();
      emit(ctx, 'quote.accepted', quote, { status: 'open' });
      return quote;
    },
  },
  {
    method: 'POST',
    path: `${PATH}/:id/cancel`,
    handle: (ctx, { id }) => {
      const quote = findIn(ctx, RESOURCE, id!, 'quote');
      if (quote.status !== 'draft' && quote.status !== 'open') {
        throw invalidParam(
          'quote',
          `This quote is ${String(quote.status)} and cannot be canceled.`,
          'quote_unexpected_state',
        );
      }
      const previous = { status: quote.status };
      quote.status = 'canceled';
      (quote.status_transitions as Record<string, unknown>).canceled_at = nowSeconds();
      emit(ctx, 'quote.canceled', quote, previous);
      return quote;
    },
  },
  {
    method: 'GET',
    path: `${PATH}/:id/line_items`,
    handle: (ctx, { id }) => {
      const quote = findIn(ctx, RESOURCE, id!, 'quote');
      const data = linesOf(quote).map((l, i) => ({
        id: `li_${quote.id.slice(3, 20)}${i}`,
        object: 'item',
        amount_subtotal: Number(l.price.unit_amount) * l.quantity,
        amount_total: Number(l.price.unit_amount) * l.quantity,
        currency: l.price.currency,
        price: l.price,
        quantity: l.quantity,
      }));
      return { object: 'list', data, has_more: false, url: `${PATH}/${id}/line_items` };
    },
  },
  {
    method: 'GET',
    path: PATH,
    handle: (ctx: RequestContext) => {
      const customer = str(ctx.params.customer, 'customer');
      const status = str(ctx.params.status, 'status');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: PATH,
        kind: 'quote',
        where: (q) => (!customer || q.customer === customer) && (!status || q.status === status),
      });
    },
  },
];
