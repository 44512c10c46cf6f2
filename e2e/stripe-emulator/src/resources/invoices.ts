// Invoices, enough for one-off billing: pending invoice items, a draft invoice that gathers
// them, finalize, pay (a PaymentIntent on the customer's card: invoice.paid and
// invoice.payment_succeeded, or invoice.payment_failed with the card's 402), send, void, mark
// uncollectible, update and delete a draft.
import { createdAt, emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidInteger, invalidParam, missing, StripeApiError } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { createPaymentIntent } from './payment-intents.ts';

function find(ctx: RequestContext, resource: string, id: string, kind = resource) {
  const o = ctx.state.get(ctx.account, resource, id);
  if (!o) throw missing(kind, id);
  return o;
}

function customerParam(ctx: RequestContext): StoredObject {
  const id = str(ctx.params.customer, 'customer');
  if (!id) throw invalidParam('customer', 'Missing required param: customer.', 'parameter_missing');
  return find(ctx, 'customer', id);
}

function expectStatus(invoice: StoredObject, allowed: string[], action: string) {
  if (!allowed.includes(String(invoice.status))) {
    throw invalidParam(
      'invoice',
      `You can only ${action} an invoice whose status is ${allowed.join(' or ')}; this one is ${String(invoice.status)}.`,
      'invoice_unexpected_state',
    );
  }
}

export function finalize(ctx: RequestContext, invoice: StoredObject) {
  const now = createdAt(ctx);
  const customer = ctx.state.get(ctx.account, 'customer', invoice.customer as string);
  const seq = Number(customer?.next_invoice_sequence ?? 1);
  if (customer) customer.next_invoice_sequence = seq + 1;
  invoice.status = 'open';
  invoice.number = `${(customer?.invoice_prefix as string | undefined) ?? 'EMU'}-${String(seq).padStart(4, '0')}`;
  invoice.hosted_invoice_url = `${ctx.state.baseUrl}/i/${invoice.id}`;
  invoice.invoice_pdf = `${ctx.state.baseUrl}/i/${invoice.id}/pdf`;
  (invoice.status_transitions as Record<string, unknown>).finalized_at = now;
  if (invoice.collection_method === 'send_invoice') {
    invoice.due_date = now + (invoice as unknown as { daysUntilDue: number }).daysUntilDue * 86400;
  }
  emit(ctx, 'invoice.finalized', invoice, { status: 'draft' });
}

export function pay(ctx: RequestContext, invoice: StoredObject) {
  if (invoice.status === 'draft') finalize(ctx, invoice);
  expectStatus(invoice, ['open'], 'pay');
  if (invoice.amount_remaining === 0) {
    invoice.status = 'paid';
    (invoice.status_transitions as Record<string, unknown>).paid_at = nowSeconds();
    emit(ctx, 'invoice.paid', invoice, { status: 'open' });
    emit(ctx, 'invoice.payment_succeeded', invoice);
    return invoice;
  }
  const customer = ctx.state.get(ctx.account, 'customer', invoice.customer as string);
  const attached = [...ctx.state.newestFirst(ctx.account, 'payment_method')].find(
    (pm) => pm.customer === invoice.customer,
  );
  const pm =
    str(ctx.params.payment_method, 'payment_method') ??
    ((customer?.invoice_settings as Record<string, unknown> | undefined)?.default_payment_method as
      string | null) ??
    (customer?.default_source as string | null | undefined) ??
    attached?.id;
  if (!pm) {
    throw invalidParam(
      'payment_method',
      'This customer has no attached payment source or default payment method.',
      'invoice_no_customer_line_items',
    );
  }
  invoice.attempt_count = Number(invoice.attempt_count) + 1;
  invoice.attempted = true;
  try {
    const pi = createPaymentIntent({
      ...ctx,
      params: {
        amount: invoice.amount_remaining,
        currency: invoice.currency,
        customer: invoice.customer,
        payment_method: pm,
        confirm: 'true',
        description: `Payment for Invoice ${String(invoice.number)}`,
      },
    });
    // Newer API versions list payments separately; the emulator keeps the link to itself.
    Object.defineProperty(invoice, 'paymentIntent', {
      value: pi.id,
      enumerable: false,
      writable: true,
    });
    if (pi.status !== 'succeeded') {
      emit(ctx, 'invoice.payment_action_required', invoice);
      throw new StripeApiError(
        402,
        'card_error',
        'This payment requires additional user action before it can be completed successfully.',
        'authentication_required',
      );
    }
  } catch (err) {
    if (err instanceof StripeApiError && err.status === 402) {
      if (err.code !== 'authentication_required') emit(ctx, 'invoice.payment_failed', invoice);
    }
    throw err;
  }
  const now = createdAt(ctx);
  const payment: StoredObject = {
    id: newId('inpay'),
    object: 'invoice_payment',
    amount_paid: invoice.amount_remaining,
    amount_requested: invoice.amount_remaining,
    created: now,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: ctx.livemode,
    payment: {
      payment_intent: (invoice as unknown as { paymentIntent: string }).paymentIntent,
      type: 'payment_intent',
    },
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: now },
  };
  (invoice.payments as { data: StoredObject[] }).data.push(payment);
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_remaining;
  invoice.amount_remaining = 0;
  (invoice.status_transitions as Record<string, unknown>).paid_at = now;
  emit(ctx, 'invoice_payment.paid', payment);
  emit(ctx, 'invoice.paid', invoice, { status: 'open' });
  emit(ctx, 'invoice.payment_succeeded', invoice);
  return invoice;
}

export interface NewInvoice {
  lines: Record<string, unknown>[];
  total: number;
  currency: string;
  collection: string;
  description: string | null;
  metadata: Record<string, string>;
  billingReason?: string;
  subscription?: string;
  periodStart?: number;
  periodEnd?: number;
  daysUntilDue?: number;
}

/** A draft invoice for the customer (manual, or a subscription's period); emits invoice.created. */
export function createInvoiceObject(
  ctx: RequestContext,
  customer: StoredObject,
  id: string,
  o: NewInvoice,
): StoredObject {
  const now = createdAt(ctx);
  const invoice: StoredObject = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'DisputeDesk emulated merchant',
    account_tax_ids: null,
    amount_due: o.total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: o.total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: false,
    automatic_tax: {
      disabled_reason: null,
      enabled: false,
      liability: null,
      provider: null,
      status: null,
    },
    automatically_finalizes_at: null,
    billing_reason: o.billingReason ?? 'manual',
    collection_method: o.collection,
    created: now,
    currency: o.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: customer.email ?? null,
    customer_name: customer.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: o.description,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: o.lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    payments: {
      object: 'list',
      data: [],
      has_more: false,
      url: `/v1/invoice_payments?invoice=${id}`,
    },
    livemode: ctx.livemode,
    metadata: o.metadata,
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: o.subscription
      ? {
          quote_details: null,
          subscription_details: { metadata: {}, subscription: o.subscription },
          type: 'subscription_details',
        }
      : null,
    payment_settings: {
      default_mandate: null,
      payment_method_options: null,
      payment_method_types: null,
    },
    period_end: o.periodEnd ?? now,
    period_start: o.periodStart ?? now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: {
      finalized_at: null,
      marked_uncollectible_at: null,
      paid_at: null,
      voided_at: null,
    },
    subtotal: o.total,
    subtotal_excluding_tax: o.total,
    test_clock: customer.test_clock ?? null,
    total: o.total,
    total_discount_amounts: [],
    total_excluding_tax: o.total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
  Object.defineProperty(invoice, 'daysUntilDue', {
    value: o.daysUntilDue ?? 30,
    enumerable: false,
  });
  ctx.state.insert(ctx.account, 'invoice', invoice);
  emit(ctx, 'invoice.created', invoice);
  return invoice;
}

export const invoiceRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/invoiceitems',
    handle: (ctx) => {
      const customer = customerParam(ctx);
      const amount = Number(ctx.params.amount);
      if (!Number.isInteger(amount)) throw invalidInteger('amount', ctx.params.amount);
      const currency = str(ctx.params.currency, 'currency');
      if (!currency)
        throw invalidParam('currency', 'Missing required param: currency.', 'parameter_missing');
      const now = nowSeconds();
      const item: StoredObject = {
        id: newId('ii'),
        object: 'invoiceitem',
        amount,
        created: now,
        currency: currency.toLowerCase(),
        customer: customer.id,
        date: now,
        description: str(ctx.params.description, 'description'),
        discountable: true,
        invoice: null,
        livemode: ctx.livemode,
        metadata: metadataParam(ctx.params.metadata),
        period: { end: now, start: now },
        proration: false,
        quantity: 1,
      };
      ctx.state.insert(ctx.account, 'invoiceitem', item);
      emit(ctx, 'invoiceitem.created', item);
      return item;
    },
  },
  {
    method: 'GET',
    path: '/v1/invoiceitems/:id',
    handle: (ctx, { id }) => find(ctx, 'invoiceitem', id!),
  },
  {
    method: 'DELETE',
    path: '/v1/invoiceitems/:id',
    handle: (ctx, { id }) => {
      const item = find(ctx, 'invoiceitem', id!);
      if (item.invoice) {
        const invoice = ctx.state.get(ctx.account, 'invoice', item.invoice as string);
        if (invoice && invoice.status !== 'draft') {
          throw invalidParam(
            'id',
            'This invoice item is on a finalized invoice and cannot be deleted.',
            'invoice_not_editable',
          );
        }
      }
      ctx.state.remove(ctx.account, 'invoiceitem', id!);
      emit(ctx, 'invoiceitem.deleted', item);
      return { id, object: 'invoiceitem', deleted: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/invoiceitems',
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      return list(ctx.state, ctx.account, 'invoiceitem', ctx.params, {
        url: '/v1/invoiceitems',
        kind: 'invoiceitem',
        where: customer ? (i) => i.customer === customer : undefined,
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices',
    handle: (ctx) => {
      const customer = customerParam(ctx);
      const p = ctx.params;
      const id = newId('in');
      const include = str(p.pending_invoice_items_behavior) === 'include';
      const items = include
        ? [...ctx.state.newestFirst(ctx.account, 'invoiceitem')].filter(
            (i) => i.customer === customer.id && i.invoice === null,
          )
        : [];
      for (const i of items) i.invoice = id;
      const total = items.reduce((sum, i) => sum + (i.amount as number), 0);
      const currency = (items[0]?.currency as string | undefined) ?? str(p.currency) ?? 'usd';
      const collection = str(p.collection_method, 'collection_method') ?? 'charge_automatically';
      const lines = {
        object: 'list',
        data: items.map((i) => ({
          id: `il_${i.id.slice(3)}`,
          object: 'line_item',
          amount: i.amount,
          currency: i.currency,
          description: i.description,
          discount_amounts: [],
          discountable: true,
          discounts: [],
          invoice: id,
          livemode: ctx.livemode,
          metadata: i.metadata,
          parent: null,
          period: i.period,
          pretax_credit_amounts: [],
          pricing: null,
          quantity: 1,
          quantity_decimal: null,
          subscription: null,
          subtotal: i.amount,
          taxes: [],
        })),
        has_more: false,
        url: `/v1/invoices/${id}/lines`,
      };
      return createInvoiceObject(ctx, customer, id, {
        lines: lines.data,
        total,
        currency,
        collection,
        description: str(p.description, 'description'),
        metadata: metadataParam(p.metadata),
        daysUntilDue: Number(p.days_until_due ?? 30),
      });
    },
  },
  { method: 'GET', path: '/v1/invoices/:id', handle: (ctx, { id }) => find(ctx, 'invoice', id!) },
  {
    method: 'POST',
    path: '/v1/invoices/:id',
    handle: (ctx, { id }) => {
      const invoice = find(ctx, 'invoice', id!);
      const previous: Record<string, unknown> = {};
      if (ctx.params.metadata !== undefined) {
        previous.metadata = invoice.metadata;
        invoice.metadata = metadataParam(
          ctx.params.metadata,
          invoice.metadata as Record<string, string>,
        );
      }
      if (ctx.params.description !== undefined) {
        expectStatus(invoice, ['draft'], 'change the description of');
        previous.description = invoice.description;
        invoice.description = str(ctx.params.description);
      }
      emit(ctx, 'invoice.updated', invoice, previous);
      return invoice;
    },
  },
  {
    method: 'DELETE',
    path: '/v1/invoices/:id',
    handle: (ctx, { id }) => {
      const invoice = find(ctx, 'invoice', id!);
      expectStatus(invoice, ['draft'], 'delete');
      ctx.state.remove(ctx.account, 'invoice', id!);
      for (const i of ctx.state.newestFirst(ctx.account, 'invoiceitem'))
        if (i.invoice === id) i.invoice = null;
      emit(ctx, 'invoice.deleted', invoice);
      return { id, object: 'invoice', deleted: true };
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/finalize',
    handle: (ctx, { id }) => {
      const invoice = find(ctx, 'invoice', id!);
      expectStatus(invoice, ['draft'], 'finalize');
      finalize(ctx, invoice);
      return invoice;
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/pay',
    handle: (ctx, { id }) => pay(ctx, find(ctx, 'invoice', id!)),
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/send',
    handle: (ctx, { id }) => {
      const invoice = find(ctx, 'invoice', id!);
      if (invoice.collection_method !== 'send_invoice') {
        throw invalidParam(
          'invoice',
          'You can only send invoices whose collection_method is send_invoice.',
          'invoice_unexpected_state',
        );
      }
      if (invoice.status === 'draft') finalize(ctx, invoice);
      expectStatus(invoice, ['open'], 'send');
      emit(ctx, 'invoice.sent', invoice);
      return invoice;
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/void',
    handle: (ctx, { id }) => {
      const invoice = find(ctx, 'invoice', id!);
      expectStatus(invoice, ['open', 'uncollectible'], 'void');
      const previous = { status: invoice.status };
      invoice.status = 'void';
      (invoice.status_transitions as Record<string, unknown>).voided_at = nowSeconds();
      emit(ctx, 'invoice.voided', invoice, previous);
      return invoice;
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/mark_uncollectible',
    handle: (ctx, { id }) => {
      const invoice = find(ctx, 'invoice', id!);
      expectStatus(invoice, ['open'], 'mark uncollectible');
      invoice.status = 'uncollectible';
      (invoice.status_transitions as Record<string, unknown>).marked_uncollectible_at =
        nowSeconds();
      emit(ctx, 'invoice.marked_uncollectible', invoice, { status: 'open' });
      return invoice;
    },
  },
  {
    method: 'GET',
    path: '/v1/invoices',
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      const status = str(ctx.params.status, 'status');
      const subscription = str(ctx.params.subscription, 'subscription');
      const subscriptionOf = (i: StoredObject) =>
        (i.parent as { subscription_details?: { subscription: string } } | null)
          ?.subscription_details?.subscription;
      return list(ctx.state, ctx.account, 'invoice', ctx.params, {
        url: '/v1/invoices',
        kind: 'invoice',
        where: (i) =>
          (!customer || i.customer === customer) &&
          (!status || i.status === status) &&
          (!subscription || subscriptionOf(i) === subscription),
      });
    },
  },
];
