// Disputes: opened by the issuer (the dispute test cards), answered with evidence, settled by
// the test-mode evidence text (`winning_evidence` / `losing_evidence`) a moment after
// submission, or closed (accepted) by the merchant.
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { TestCard } from '../test-cards.ts';
import { recordMovement } from './balance.ts';
import type { Route } from '../router.ts';

const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

export function createDispute(
  ctx: RequestContext,
  charge: StoredObject,
  spec: NonNullable<TestCard['dispute']>,
) {
  const created = nowSeconds();
  const card = (charge.payment_method_details as { card: { brand: string } }).card;
  const dispute: StoredObject = {
    id: newId('du'),
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: {
      ...Object.fromEntries(EVIDENCE_FIELDS.map((f) => [f, null])),
      enhanced_evidence: {},
    },
    evidence_details: {
      due_by: created + 7 * 86400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: spec.status.startsWith('warning_'),
    livemode: ctx.livemode,
    metadata: {},
    network_reason_code: spec.networkReasonCode,
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: {
        brand: card.brand,
        case_type: spec.caseType,
        network: card.brand,
        network_reason_code: spec.networkReasonCode,
      },
      type: 'card',
    },
    reason: spec.reason,
    status: spec.status,
  };
  ctx.state.insert(ctx.account, 'dispute', dispute);
  charge.disputed = true;
  if (spec.status === 'needs_response') {
    // A chargeback takes the amount and Stripe's $15 dispute fee from the balance at once.
    (dispute.balance_transactions as StoredObject[]).push(
      recordMovement(ctx, {
        amount: -(charge.amount as number),
        currency: charge.currency as string,
        type: 'adjustment',
        reportingCategory: 'dispute',
        source: dispute.id,
        fee: 1500,
        description: `Chargeback withdrawal for ${charge.id}`,
        availableIn: 0,
      }),
    );
  }
  emit(ctx, 'charge.dispute.created', dispute);
  if (spec.status === 'needs_response') emit(ctx, 'charge.dispute.funds_withdrawn', dispute);
  return dispute;
}

function find(ctx: RequestContext, id: string) {
  const d = ctx.state.get(ctx.account, 'dispute', id);
  if (!d) throw missing('dispute', id);
  return d;
}

const isClosed = (d: StoredObject) =>
  ['won', 'lost', 'warning_closed', 'prevented'].includes(String(d.status));

function settle(ctx: RequestContext, dispute: StoredObject, outcome: 'won' | 'lost') {
  if (isClosed(dispute)) return;
  const inquiry = String(dispute.status).startsWith('warning_');
  const previous = { status: dispute.status };
  dispute.status = inquiry ? 'warning_closed' : outcome;
  if (!inquiry && outcome === 'won') {
    (dispute.balance_transactions as StoredObject[]).push(
      recordMovement(ctx, {
        amount: dispute.amount as number,
        currency: dispute.currency as string,
        type: 'adjustment',
        reportingCategory: 'dispute_reversal',
        source: dispute.id,
        description: `Chargeback reversal for ${dispute.charge as string}`,
        availableIn: 0,
      }),
    );
  }
  emit(ctx, 'charge.dispute.closed', dispute, previous);
  if (!inquiry && outcome === 'won') emit(ctx, 'charge.dispute.funds_reinstated', dispute);
}

export const disputeRoutes: Route[] = [
  { method: 'GET', path: '/v1/disputes/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'POST',
    path: '/v1/disputes/:id',
    handle: (ctx, { id }) => {
      const dispute = find(ctx, id!);
      if (isClosed(dispute)) {
        throw invalidParam(
          'dispute',
          'This dispute is already closed and its evidence can no longer be updated.',
          'dispute_already_closed',
        );
      }
      const previous: Record<string, unknown> = {};
      const evidence = ctx.params.evidence as Record<string, unknown> | undefined;
      if (evidence !== undefined) {
        previous.evidence = structuredClone(dispute.evidence);
        const current = dispute.evidence as Record<string, unknown>;
        for (const [field, value] of Object.entries(evidence)) {
          if (!(EVIDENCE_FIELDS as readonly string[]).includes(field)) {
            throw invalidParam(
              `evidence[${field}]`,
              `Received unknown parameter: evidence[${field}]`,
              'parameter_unknown',
            );
          }
          current[field] = str(value, `evidence[${field}]`);
        }
        (dispute.evidence_details as Record<string, unknown>).has_evidence = true;
      }
      if (ctx.params.metadata !== undefined) {
        previous.metadata = dispute.metadata;
        dispute.metadata = metadataParam(
          ctx.params.metadata,
          dispute.metadata as Record<string, string>,
        );
      }
      const submit =
        ctx.params.submit === undefined ||
        ctx.params.submit === 'true' ||
        ctx.params.submit === true;
      if (submit && evidence !== undefined) {
        const details = dispute.evidence_details as Record<string, unknown>;
        details.submission_count = Number(details.submission_count) + 1;
        details.submission_method = 'manual';
        previous.status = dispute.status;
        dispute.status = String(dispute.status).startsWith('warning_')
          ? 'warning_under_review'
          : 'under_review';
      }
      emit(ctx, 'charge.dispute.updated', dispute, previous);
      const text = (dispute.evidence as Record<string, unknown>).uncategorized_text;
      if (submit && (text === 'winning_evidence' || text === 'losing_evidence')) {
        const timer = setTimeout(
          () => settle(ctx, dispute, text === 'winning_evidence' ? 'won' : 'lost'),
          ctx.state.settings.settleDelayMs,
        );
        timer.unref();
      }
      return dispute;
    },
  },
  {
    method: 'POST',
    path: '/v1/disputes/:id/close',
    handle: (ctx, { id }) => {
      const dispute = find(ctx, id!);
      settle(ctx, dispute, 'lost');
      return dispute;
    },
  },
  {
    method: 'GET',
    path: '/v1/disputes',
    handle: (ctx) => {
      const charge = str(ctx.params.charge, 'charge');
      const pi = str(ctx.params.payment_intent, 'payment_intent');
      return list(ctx.state, ctx.account, 'dispute', ctx.params, {
        url: '/v1/disputes',
        kind: 'dispute',
        where: (d) => (!charge || d.charge === charge) && (!pi || d.payment_intent === pi),
      });
    },
  },
];
