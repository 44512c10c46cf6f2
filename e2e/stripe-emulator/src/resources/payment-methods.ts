// PaymentMethods: Stripe's test ids (`pm_card_visa`, …) and card tokens (`tok_visa`) become real
// PaymentMethod objects when used; they can be created, attached to a customer, detached,
// updated, retrieved and listed. Each keeps the test card that decides what charging it does.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import { testCard, type TestCard } from '../test-cards.ts';
import type { Route } from '../router.ts';

const RESOURCE = 'payment_method';
const SEPA: TestCard = { brand: 'visa', last4: '3204', outcome: 'succeed' };
/**
 * Stripe's failing test IBANs (AT86 1904 3002 3547 3202; IT60 X054 2811 1010 0000 0123 456, the
 * CLI's async_payment_failed fixture) and Bacs account 33333335: debits on them fail later.
 */
const FAILING_IBANS = new Set(['AT861904300235473202', 'IT60X0542811101000000123456']);
const SEPA_FAILS: TestCard = {
  brand: 'visa',
  last4: '3202',
  outcome: 'succeed',
  declineOnCharge: true,
  declineCode: 'insufficient_funds',
};
const BACS: TestCard = { brand: 'visa', last4: '2345', outcome: 'succeed' };
const BACS_FAILS: TestCard = {
  brand: 'visa',
  last4: '3335',
  outcome: 'succeed',
  declineOnCharge: true,
  declineCode: 'insufficient_funds',
};

function build(
  ctx: RequestContext,
  card: TestCard,
  type: 'card' | 'sepa_debit' | 'bacs_debit' | 'customer_balance',
  id = newId('pm'),
): StoredObject {
  const pm: StoredObject = {
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    created: nowSeconds(),
    customer: null,
    customer_account: null,
    livemode: ctx.livemode,
    metadata: {},
    type,
    ...(type === 'card'
      ? {
          card: {
            brand: card.brand,
            checks: {
              address_line1_check: null,
              address_postal_code_check: null,
              cvc_check: 'pass',
            },
            country: 'US',
            display_brand: card.brand,
            exp_month: 12,
            exp_year: 2034,
            fingerprint: `fp${card.last4}${card.brand}`,
            funding: 'credit',
            generated_from: null,
            last4: card.last4,
            networks: { available: [card.brand], preferred: null },
            regulated_status: 'unregulated',
            three_d_secure_usage: { supported: true },
            wallet: null,
          },
        }
      : type === 'customer_balance'
        ? { customer_balance: {} }
        : type === 'sepa_debit'
          ? { sepa_debit: { bank_code: '19043', country: 'AT', last4: card.last4 } }
          : {
              bacs_debit: {
                fingerprint: `fpbacs${card.last4}`,
                last4: card.last4,
                sort_code: '108800',
              },
            }),
  };
  Object.defineProperty(pm, 'testCard', { value: card, enumerable: false });
  return ctx.state.insert(ctx.account, RESOURCE, pm);
}

/** The PaymentMethod face of a customer's card source (Stripe accepts `card_…` as a payment method). */
export function paymentMethodForSource(
  ctx: RequestContext,
  card: TestCard,
  sourceId: string,
  customer: string,
) {
  const pm = build(ctx, card, 'card', sourceId);
  pm.customer = customer;
  return pm;
}

/** A customer_balance PaymentMethod (made from `payment_method_data` on a PaymentIntent). */
export function customerBalanceMethod(ctx: RequestContext, customer: string | null) {
  const pm = build(ctx, { brand: 'visa', last4: '0000', outcome: 'succeed' }, 'customer_balance');
  pm.customer = customer;
  return pm;
}

/** The test card behind a PaymentMethod (undefined for one the emulator did not make). */
export const cardOf = (pm: StoredObject) => (pm as unknown as { testCard?: TestCard }).testCard;

/**
 * The PaymentMethod a request names: a stored one, or a new one made from a test id or token.
 * 404 like Stripe for anything else.
 */
export function resolvePaymentMethod(ctx: RequestContext, id: string, param = 'payment_method') {
  const stored = ctx.state.get(ctx.account, RESOURCE, id);
  if (stored) return stored;
  const card = testCard(id);
  if (!card) throw missing('PaymentMethod', id, param);
  return build(ctx, card, 'card');
}

function find(ctx: RequestContext, id: string) {
  const pm = ctx.state.get(ctx.account, RESOURCE, id);
  if (!pm) throw missing('PaymentMethod', id);
  return pm;
}

export function attach(ctx: RequestContext, pm: StoredObject, customerId: string) {
  if (!ctx.state.get(ctx.account, 'customer', customerId))
    throw missing('customer', customerId, 'customer');
  if (pm.customer && pm.customer !== customerId) {
    throw invalidParam(
      'payment_method',
      'The payment method you provided has already been attached to a customer.',
      'payment_method_unexpected_state',
    );
  }
  if (pm.customer === customerId) return pm;
  pm.customer = customerId;
  emit(ctx, 'payment_method.attached', pm);
  return pm;
}

export const paymentMethodRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/payment_methods',
    handle: (ctx) => {
      const p = ctx.params;
      const type = str(p.type, 'type');
      let pm: StoredObject;
      if (type === 'card') {
        const token = str((p.card as Record<string, unknown> | undefined)?.token, 'card[token]');
        const card = token ? testCard(token) : testCard('pm_card_visa');
        if (!card) throw missing('token', token ?? '', 'card[token]');
        pm = build(ctx, card, 'card');
      } else if (type === 'sepa_debit') {
        const iban = str(
          (p.sepa_debit as Record<string, unknown> | undefined)?.iban,
          'sepa_debit[iban]',
        );
        const fails = FAILING_IBANS.has(iban?.replace(/\s/g, '').toUpperCase() ?? '');
        pm = build(ctx, fails ? SEPA_FAILS : SEPA, 'sepa_debit');
      } else if (type === 'bacs_debit') {
        const account = str(
          (p.bacs_debit as Record<string, unknown> | undefined)?.account_number,
          'bacs_debit[account_number]',
        );
        pm = build(ctx, account === '33333335' ? BACS_FAILS : BACS, 'bacs_debit');
      } else {
        throw invalidParam(
          'type',
          `Invalid type: must be one of card, sepa_debit, bacs_debit (emulated)`,
          'parameter_invalid_string',
        );
      }
      const billing = p.billing_details as Record<string, unknown> | undefined;
      if (billing) {
        const details = pm.billing_details as Record<string, unknown>;
        for (const k of ['email', 'name', 'phone'] as const)
          if (billing[k] !== undefined) details[k] = str(billing[k]);
        if (billing.address) details.address = billing.address;
      }
      pm.metadata = metadataParam(p.metadata);
      return pm;
    },
  },
  { method: 'GET', path: '/v1/payment_methods/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id',
    handle: (ctx, { id }) => {
      const pm = find(ctx, id!);
      const previous = { metadata: pm.metadata };
      pm.metadata = metadataParam(ctx.params.metadata, pm.metadata as Record<string, string>);
      emit(ctx, 'payment_method.updated', pm, previous);
      return pm;
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/attach',
    handle: (ctx, { id }) => {
      const customer = str(ctx.params.customer, 'customer');
      if (!customer)
        throw invalidParam('customer', 'Missing required param: customer.', 'parameter_missing');
      return attach(ctx, resolvePaymentMethod(ctx, id!, 'payment_method'), customer);
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/detach',
    handle: (ctx, { id }) => {
      const pm = find(ctx, id!);
      if (!pm.customer) {
        throw invalidParam(
          'payment_method',
          'The payment method you provided is not attached to a customer so detachment is impossible.',
          'payment_method_unexpected_state',
        );
      }
      const previous = { customer: pm.customer };
      pm.customer = null;
      emit(ctx, 'payment_method.detached', pm, previous);
      return pm;
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods',
    handle: (ctx) => {
      const customer = str(ctx.params.customer, 'customer');
      const type = str(ctx.params.type, 'type');
      return list(ctx.state, ctx.account, RESOURCE, ctx.params, {
        url: '/v1/payment_methods',
        kind: 'payment_method',
        where: (pm) => (!customer || pm.customer === customer) && (!type || pm.type === type),
      });
    },
  },
];
