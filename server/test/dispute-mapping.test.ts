// Every row of the dispute model in DESIGN.md: Stripe status → type/status, case_type
// refinement, and unified reasons per brand with Stripe's reason as the fallback.
import { describe, expect, it } from 'vitest';
import { normalizeDispute } from '../src/disputes/normalize-dispute.ts';
import { unifiedReason } from '../src/disputes/reason-codes.ts';
import { dispute } from './support/fixtures.ts';
import { nowSeconds } from './support/ids.ts';

const now = new Date();

describe('Stripe status → type and status', () => {
  it.each([
    ['warning_needs_response', 'inquiry', 'RETRIEVAL', 'OPEN'],
    ['warning_under_review', 'inquiry', 'RETRIEVAL', 'CHALLENGED'],
    ['warning_closed', 'inquiry', 'RETRIEVAL', 'CANCELLED'],
    ['needs_response', 'chargeback', 'DISPUTE', 'OPEN'],
    ['under_review', 'chargeback', 'DISPUTE', 'CHALLENGED'],
    ['won', 'chargeback', 'DISPUTE', 'WON'],
    ['prevented', 'block', 'DISPUTE', 'CANCELLED'],
    ['prevented', 'resolution', 'DISPUTE', 'CANCELLED'],
    ['appeal_needs_response', 'chargeback', 'PREARBITRATION', 'OPEN'],
    ['appeal_under_review', 'chargeback', 'PREARBITRATION', 'CHALLENGED'],
  ] as const)('%s (case %s) → %s / %s', (status, caseType, type, unified) => {
    const n = normalizeDispute(dispute({ status, caseType }), now);
    expect({ type: n.type, status: n.status, stripeStatus: n.stripeStatus }).toEqual({
      type,
      status: unified,
      stripeStatus: status,
    });
  });

  it('lost with evidence submitted → LOST', () => {
    expect(normalizeDispute(dispute({ status: 'lost', submissionCount: 1 }), now).status).toBe(
      'LOST',
    );
  });

  it('lost, closed by the merchant with no evidence before the deadline → ACCEPTED', () => {
    const d = dispute({ status: 'lost', submissionCount: 0, dueBy: nowSeconds() + 86400 });
    expect(normalizeDispute(d, now).status).toBe('ACCEPTED');
  });

  it('lost with no evidence and past due_by → EXPIRED', () => {
    const d = dispute({ status: 'lost', submissionCount: 0, dueBy: nowSeconds() - 60 });
    expect(normalizeDispute(d, now).status).toBe('EXPIRED');
  });

  it('case_type refines the type: an inquiry is a RETRIEVAL, a compliance case is COMPLIANCE', () => {
    expect(
      normalizeDispute(dispute({ status: 'needs_response', caseType: 'inquiry' }), now).type,
    ).toBe('RETRIEVAL');
    expect(
      normalizeDispute(dispute({ status: 'needs_response', caseType: 'compliance' }), now).type,
    ).toBe('COMPLIANCE');
  });

  it('challengeRequiredBy is due_by, and none when due_by is 0 (no response allowed)', () => {
    const due = nowSeconds() + 3 * 86400;
    expect(normalizeDispute(dispute({ dueBy: due }), now).challengeRequiredBy?.getTime()).toBe(
      due * 1000,
    );
    expect(normalizeDispute(dispute({ dueBy: 0 }), now).challengeRequiredBy).toBeNull();
  });

  it('transactionId is the PaymentIntent id when there is one, else the charge id', () => {
    const withPi = dispute({ paymentIntent: 'pi_123', charge: 'ch_123' });
    const chargeOnly = dispute({ paymentIntent: null, charge: 'ch_456' });
    expect(normalizeDispute(withPi, now).transactionId).toBe('pi_123');
    expect(normalizeDispute(chargeOnly, now).transactionId).toBe('ch_456');
  });

  it('keeps amount in minor units, currency upper-case, and the evidence submission count', () => {
    const n = normalizeDispute(
      dispute({ amount: 700, currency: 'jpy', submissionCount: 2, status: 'under_review' }),
      now,
    );
    expect(n).toMatchObject({ amount: 700, currency: 'JPY', evidenceSubmissions: 2 });
  });
});

describe('unified reason from network reason codes', () => {
  const rows: Array<[string, Record<string, string[]>]> = [
    [
      'FRAUD',
      {
        visa: ['10.1', '10.2', '10.3', '10.4', '10.5'],
        mastercard: ['4837', '4840', '4849', '4870', '4871'],
        amex: ['F10', 'F14', 'F24', 'F29', 'F30', 'F31'],
        discover: ['UA01', 'UA02', 'UA05', 'UA06', 'UA10', 'UA11'],
      },
    ],
    ['UNRECOGNIZED', { mastercard: ['4863'], amex: ['127', '176'], discover: ['AA'] }],
    [
      'AUTHORIZATION',
      {
        visa: ['11.1', '11.2', '11.3'],
        mastercard: ['4807', '4808', '4812'],
        amex: ['A01', 'A02', 'A08'],
        discover: ['AT', 'DA', 'NA', 'EX'],
      },
    ],
    [
      'PROCESSING_ERROR',
      {
        visa: ['12.1', '12.2', '12.3', '12.4', '12.5', '12.7'],
        mastercard: ['4831', '4842', '4846'],
        amex: ['P01', 'P03', 'P04', 'P05', 'P07', 'P22', 'P23'],
        discover: ['LP', 'IN', 'CD', 'AW'],
      },
    ],
    [
      'DUPLICATE',
      {
        visa: ['12.6.1', '12.6.2'],
        mastercard: ['4834'],
        amex: ['P08', 'C14'],
        discover: ['DP', 'PM'],
      },
    ],
    [
      'PRODUCT_NOT_RECEIVED',
      { visa: ['13.1', '13.9'], mastercard: ['4855'], amex: ['C08'], discover: ['RG', 'NF'] },
    ],
    [
      'PRODUCT_UNACCEPTABLE',
      {
        visa: ['13.3', '13.4', '13.5'],
        mastercard: ['4853'],
        amex: ['C31', 'C32'],
        discover: ['RM'],
      },
    ],
    [
      'CREDIT_NOT_PROCESSED',
      {
        visa: ['13.6', '13.7'],
        mastercard: ['4860'],
        amex: ['C02', 'C04', 'C05', 'C18'],
        discover: ['RN2'],
      },
    ],
    [
      'SUBSCRIPTION_CANCELED',
      { visa: ['13.2'], mastercard: ['4841'], amex: ['C28'], discover: ['AP'] },
    ],
    ['NONCOMPLIANT', { visa: ['C028', 'C050', 'C0135'] }],
    [
      'GENERAL',
      {
        visa: ['13.8', '28', '33'],
        mastercard: ['4859', '4999', '6305', '6321', '6343'],
        amex: ['M01', 'M10', 'R03', 'R13', 'S01', 'S04'],
      },
    ],
  ];
  const cases = rows.flatMap(([reason, byBrand]) =>
    Object.entries(byBrand).flatMap(([brand, codes]) =>
      codes.map((code) => ({ reason, brand, code })),
    ),
  );

  // Stripe's reason is deliberately different, so the network code is what decides.
  it.each(cases)('$brand $code → $reason', ({ reason, brand, code }) => {
    expect(
      unifiedReason({ brand, networkReasonCode: code, stripeReason: 'customer_initiated' }),
    ).toBe(reason);
  });

  it('Stripe `general` hides an authorization error that the network code reveals', () => {
    const n = normalizeDispute(
      dispute({ reason: 'general', brand: 'visa', networkReasonCode: '11.3' }),
      now,
    );
    expect(n).toMatchObject({
      reason: 'AUTHORIZATION',
      stripeReason: 'general',
      networkReasonCode: '11.3',
    });
  });

  it('brands are matched whatever their spelling (American Express, MasterCard)', () => {
    expect(
      unifiedReason({
        brand: 'American Express',
        networkReasonCode: 'C08',
        stripeReason: 'general',
      }),
    ).toBe('PRODUCT_NOT_RECEIVED');
    expect(
      unifiedReason({ brand: 'MasterCard', networkReasonCode: '4834', stripeReason: 'general' }),
    ).toBe('DUPLICATE');
  });

  it('codes outside the ranges are not swallowed: Mastercard 6344 and Visa C027 fall back', () => {
    expect(
      unifiedReason({ brand: 'mastercard', networkReasonCode: '6344', stripeReason: 'fraudulent' }),
    ).toBe('FRAUD');
    expect(
      unifiedReason({ brand: 'visa', networkReasonCode: 'C027', stripeReason: 'duplicate' }),
    ).toBe('DUPLICATE');
  });
});

describe("Stripe's reason as the fallback", () => {
  it.each([
    ['fraudulent', 'FRAUD'],
    ['unrecognized', 'UNRECOGNIZED'],
    ['duplicate', 'DUPLICATE'],
    ['product_not_received', 'PRODUCT_NOT_RECEIVED'],
    ['product_unacceptable', 'PRODUCT_UNACCEPTABLE'],
    ['credit_not_processed', 'CREDIT_NOT_PROCESSED'],
    ['subscription_canceled', 'SUBSCRIPTION_CANCELED'],
    ['noncompliant', 'NONCOMPLIANT'],
    ['bank_cannot_process', 'PROCESSING_ERROR'],
    ['general', 'GENERAL'],
    ['something_new_stripe_adds', 'GENERAL'],
  ])('no network code, reason %s → %s', (stripeReason, reason) => {
    expect(unifiedReason({ brand: 'visa', networkReasonCode: null, stripeReason })).toBe(reason);
  });

  it("an unknown brand or an unknown Discover code uses Stripe's reason", () => {
    expect(
      unifiedReason({
        brand: 'unionpay',
        networkReasonCode: '4837',
        stripeReason: 'product_not_received',
      }),
    ).toBe('PRODUCT_NOT_RECEIVED');
    expect(
      unifiedReason({ brand: 'discover', networkReasonCode: 'ZZ', stripeReason: 'general' }),
    ).toBe('GENERAL');
  });
});
