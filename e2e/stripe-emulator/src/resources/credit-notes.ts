// Credit notes on a finalized invoice: lines (custom or invoice line) or an amount, never more
// than the invoice's total; an open invoice's amount due drops, a paid one's credit is recorded
// after payment. Update the memo and metadata, void, list by invoice or customer.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { findIn, integerParam } from './crud.ts';

const RESOURCE = 'credit_note';
const PATH = '/v1/credit_notes';

function linesParam(ctx: RequestContext, id: string) {
  const raw = ctx.params.lines;
  const entries = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object'
      ? Object.values(raw)
      : [];
  return entries.map((e: Record<string, unknown>, i) => {
    const type = str(e.type, `lines[${i}][type]`) ?? 'custom_line_item';
    const quantity = integerParam(e.quantity, `lines[${i}][quantity]`) ?? 1;
    const amount =
      type === 'custom_line_item'
        ? (integerParam(e.unit_amount, `lines[${i}][unit_amount]`) ?? 0) * quantity
        : (integerParam(e.amount, `lines[${i}][amount]`) ?? 0);
    if (amount <= 0)
      throw invalidParam(
        `lines[${i}][unit_amount]`,
        'A credit note line must have a positive amount.',
      );
    return {
      id: newId('cnli'),
      object: 'credit_note_line_item',
      amount,
      credit_note: id,
      description: str(e.description, `lines[${i}][description]`),
      discount_amount: 0,
      invoice_line_item: str(e.invoice_line_item, `lines[${i}][invoice_line_item]`),
      livemode: ctx.livemode,
      quantity,
      type,
      unit_amount: integerParam(e.unit_amount, `lines[${i}][unit_amount]`),
    };
  });
}

export const creditNoteRoutes: Route[] = [
  {
    method: 'POST',
    path: PATH,
    handle: (ctx) => {
      const invoiceId = str(ctx.params.invoice, 'invoice');
      if (!invoiceId)
        throw invalidParam('invoice', 'Missing required param: invoice.', 'parameter_missing');
      const invoice = findIn(ctx, 'invoice', invoiceId, 'invoice', 'invoice');
      if (!['open', 'paid'].includes(String(invoice.status))) {
        throw invalidParam(
          'invoice',
          `You can only create a credit note for an open or paid invoice; this one is ${String(invoice.status)}.`,
          'invoice_not_editable',
        );
      }
      const id = newId('cn');
      const lines = linesParam(ctx, id);
      const amount =
        lines.length > 0
          ? lines.reduce((n, l) => n + l.amount, 0)
          : integerParam(ctx.params.amount, 'amount');
      if (!amount || amount <= 0)
        throw invalidParam('amount', 'Pass lines or a positive amount.', 'parameter_missing');
      const credited = [...ctx.state.newestFirst(ctx.account, RESOURCE)]
        .filter((c) => c.invoice === invoice.id && c.status === 'issued')
        .reduce((n, c) => n + Number(c.amount), 0);
      if (credited + amount > Number(invoice.total)) {
        throw invalidParam(
          'amount',
          `The credit note's total (${amount}) would exceed the invoice's remaining creditable amount (${Number(invoice.total) - credited}).`,
          'credit_note_amount_too_large',
        );
      }
      const open = invoice.status === 'open';
      const note: StoredObject = {
        id,
        object: RESOURCE,
        amount,
        amount_shipping: 0,
        created: nowSeconds(),
        currency: invoice.currency,
        customer: invoice.customer,
        customer_balance_transaction: null,
        discount_amount: 0,
        discount_amounts: [],
        effective_at: nowSeconds(),
        invoice: invoice.id,
        lines: { object: 'list', data: lines, has_more: false, url: `${PATH}/${id}/lines` },
        livemode: ctx.livemode,
        memo: str(ctx.params.memo, 'memo'),
        metadata: metadataParam(ctx.params.metadata),
        number: `${String(invoice.number)}-CN-${String(credited === 0 ? 1 : 2).padStart(2, '0')}`,
        out_of_band_amount: null,
        pdf: `${ctx.state.baseUrl}/cn/${id}/pdf`,
        post_payment_amount: open ? 0 : amount,
        pre_payment_amount: open ? amount : 0,
        reason: str(ctx.params.reason, 'reason'),
        refunds: [],
        status: 'issued',
        subtotal: amount,
        total: amount,
        type: open ? 'pre_payment' : 'post_payment',
        voided_at: null,
      };
      ctx.state.insert(ctx.account, RESOURCE, note);
      emit(ctx, 'credit_note.created', note);
      const previous = { amount_remaining: invoice.amount_remaining };
      if (open) {
        invoice.amount_remaining = Math.max(0, Number(invoice.amount_remaining) - amount);
        invoice.pre_payment_credit_notes_amount =
          Number(invoice.pre_payment_credit_notes_amount) + amount;
      } else {
        invoice.post_payment_credit_notes_amount =
          Number(invoice.post_payment_credit_notes_amount) + amount;
      }
      emit(ctx, 'invoice.updated', invoice, previous);
      return note;
    },
  },
  {
    method: 'GET',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => findIn(ctx, RESOURCE, id!, 'credit note'),
  },
  {
    method: 'POST',
    path: `${PATH}/:id`,
    handle: (ctx, { id }) => {
      const note = findIn(ctx, RESOURCE, id!, 'credit note');
      const previous: Record<string, unknown> = {};
      if (ctx.params.memo !== undefined) {
        previous.memo = note.memo;
        note.memo = str(ctx.params.memo, 'memo');
      }
      if (ctx.params.metadata !== undefined) {
        previous.metadata = note.metadata;
        note.metadata = metadataParam(ctx.params.metadata, note.metadata as Record<string, string>);
      }
      if (Object.keys(previous).length > 0) emit(ctx, 'credit_note.updated', note, previous);
      return note;
    },
  },
  {
    method: 'POST',
    path: `${PATH}/:id/void`,
    handle: (ctx, { id }) => {
      const note = findIn(ctx, RESOURCE, id!, 'credit note');
      if (note.status === 'void')
        throw invalidParam(
          'id',
          'This credit note has already been voided.',
          'credit_note_already_voided',
        );
      note.status = 'void';
      note.voided_at = nowSeconds();
      const invoice = ctx.state.get(ctx.account, 'invoice', note.invoice as string);
      if (invoice && note.type === 'pre_payment' && invoice.status === 'open') {
        invoice.amount_remaining = Number(invoice.amount_remaining) + Number(note.amount);
      }
      emit(ctx, 'credit_note.voided', note, { status: 'issued' });
      return note;
    },
  },
  {
    method: 'GET',
    path: PATH,
    handle: (ctx) => {
      const invoice = str(ctx.params.invoice, 'invoice');
      const customer = str(ctx.params.customer, 'customer');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: PATH,
        kind: 'credit note',
        where: (c) => (!invoice || c.invoice === invoice) && (!customer || c.customer === customer),
      });
    },
  },
];
