// A customer's cash balance (bank transfers): the test helper funds it; PaymentIntents paid with
// `customer_balance` wait for funds (`requires_action` with transfer instructions) and take what
// arrives, oldest first — `partially_funded` until the whole amount is there, then `succeeded`.
import { emit, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import { createCharge } from './charges.ts';

// Both keyed by the customer object, so they live and die with the emulator state that holds it.
const balances = new WeakMap<StoredObject, Record<string, number>>();
/** Per customer: PaymentIntents waiting for a transfer, oldest first. */
const waiting = new WeakMap<StoredObject, StoredObject[]>();

function transaction(
  ctx: RequestContext,
  customer: string,
  currency: string,
  amount: number,
  ending: number,
  extra: Record<string, unknown>,
) {
  const txn: StoredObject = {
    id: newId('ccsbtxn'),
    object: 'customer_cash_balance_transaction',
    created: nowSeconds(),
    currency,
    customer,
    ending_balance: ending,
    livemode: ctx.livemode,
    net_amount: amount,
    ...extra,
  };
  ctx.state.insert(ctx.account, 'customer_cash_balance_transaction', txn);
  emit(ctx, 'customer_cash_balance_transaction.created', txn);
}

function instructions(pi: StoredObject, remaining: number) {
  return {
    display_bank_transfer_instructions: {
      amount_remaining: remaining,
      currency: pi.currency,
      financial_addresses: [],
      hosted_instructions_url: null,
      reference: pi.id.slice(3, 11).toUpperCase(),
      type: pi.currency === 'jpy' ? 'jp_bank_transfer' : 'us_bank_transfer',
    },
    type: 'display_bank_transfer_instructions',
  };
}

/** A customer_balance PaymentIntent is confirmed: it waits for the customer's transfer. */
export function awaitTransfer(ctx: RequestContext, pi: StoredObject) {
  if (!pi.customer) {
    throw invalidParam(
      'customer',
      'A PaymentIntent paid with customer_balance needs a customer.',
      'parameter_missing',
    );
  }
  const customer = ctx.state.get(ctx.account, 'customer', pi.customer as string);
  if (!customer) throw missing('customer', str(pi.customer) ?? '', 'customer');
  pi.status = 'requires_action';
  pi.next_action = instructions(pi, Number(pi.amount));
  const list = waiting.get(customer) ?? [];
  list.push(pi);
  waiting.set(customer, list);
  emit(ctx, 'payment_intent.requires_action', pi);
}

/** Funds go to waiting PaymentIntents of that currency, oldest first. */
function apply(ctx: RequestContext, customer: StoredObject, currency: string) {
  const held = balances.get(customer)!;
  for (const pi of waiting.get(customer) ?? []) {
    if (pi.currency !== currency || pi.status !== 'requires_action' || !(held[currency]! > 0))
      continue;
    const remaining = (
      pi.next_action as { display_bank_transfer_instructions: { amount_remaining: number } }
    ).display_bank_transfer_instructions.amount_remaining;
    const used = Math.min(remaining, held[currency]!);
    held[currency] = held[currency]! - used;
    transaction(ctx, customer.id, currency, -used, held[currency], {
      applied_to_payment: { payment_intent: pi.id },
      type: 'applied_to_payment',
    });
    if (used < remaining) {
      pi.next_action = instructions(pi, remaining - used);
      emit(ctx, 'payment_intent.partially_funded', pi);
      continue;
    }
    const pm = ctx.state.get(ctx.account, 'payment_method', pi.payment_method as string)!;
    const charge = createCharge(ctx, pi, {
      card: { brand: 'visa', last4: '0000', outcome: 'succeed' },
      paymentMethod: pm,
      status: 'succeeded',
    });
    pi.latest_charge = charge.id;
    pi.next_action = null;
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    emit(ctx, 'payment_intent.succeeded', pi);
  }
  waiting.set(
    customer,
    (waiting.get(customer) ?? []).filter((pi) => pi.status === 'requires_action'),
  );
}

/** Test helper: money arrives in the customer's cash balance (bank transfer). */
export function fundCashBalance(ctx: RequestContext, customer: StoredObject) {
  const amount = Number(ctx.params.amount);
  if (!Number.isInteger(amount) || amount <= 0) {
    throw invalidParam('amount', 'amount must be a positive integer.', 'parameter_invalid_integer');
  }
  const currency = str(ctx.params.currency, 'currency');
  if (!currency)
    throw invalidParam('currency', 'Missing required param: currency.', 'parameter_missing');
  let held = balances.get(customer);
  if (!held) balances.set(customer, (held = {}));
  const key = currency.toLowerCase();
  held[key] = (held[key] ?? 0) + amount;
  transaction(ctx, customer.id, key, amount, held[key], {
    funded: {
      bank_transfer: { reference: str(ctx.params.reference) ?? 'REF', type: 'us_bank_transfer' },
    },
    type: 'funded',
  });
  emit(ctx, 'cash_balance.funds_available', {
    id: customer.id,
    object: 'cash_balance',
    created: nowSeconds(),
    available: { ...held },
    customer: customer.id,
    livemode: ctx.livemode,
    settings: { reconciliation_mode: 'automatic', using_merchant_default: true },
  });
  apply(ctx, customer, key);
  return {
    object: 'customer_cash_balance_transaction',
    customer: customer.id,
    currency: key,
    net_amount: amount,
  };
}
