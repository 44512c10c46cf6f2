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
    enhanced_eligibility_types: spec.ce3 ? ['visa_compelling_evidence_3'] : [],
    evidence: {
      ...Object.fromEntries(EVIDENCE_FIELDS.map((f) => [f, null])),
      enhanced_evidence: {},
    },
    evidence_details: {
      due_by: created + 7 * 86400,
      enhanced_eligibility: spec.ce3
        ? {
            visa_compelling_evidence_3: {
              required_actions: ['missing_prior_undisputed_transactions'],
              status: 'requires_action',
            },
          }
        : {},
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

const isSubmitted = (d: StoredObject) =>
  ['under_review', 'warning_under_review'].includes(String(d.status));

/** Stripe's limit on the evidence's text fields together. */
const TEXT_LIMIT = 150_000;
const FILE_EVIDENCE = new Set([
  'cancellation_policy',
  'customer_communication',
  'customer_signature',
  'duplicate_charge_documentation',
  'receipt',
  'refund_policy',
  'service_documentation',
  'shipping_documentation',
  'uncategorized_file',
]);

/** Refusals of an evidence update, as Stripe words them. */
function assertAnswerable(ctx: RequestContext, dispute: StoredObject) {
  if (isClosed(dispute)) {
    throw invalidParam(
      'dispute',
      'This dispute is already closed and its evidence can no longer be updated.',
      'dispute_already_closed',
    );
  }
  if (isSubmitted(dispute)) {
    throw invalidParam(
      'dispute',
      'Evidence for this dispute has already been submitted and can no longer be updated.',
      'dispute_already_submitted',
    );
  }
  const dueBy = Number((dispute.evidence_details as { due_by: number }).due_by);
  if (!dueBy || dueBy <= nowSeconds()) {
    throw invalidParam(
      'dispute',
      'The deadline to respond to this dispute has passed; evidence can no longer be submitted.',
      'dispute_past_due',
    );
  }
  void ctx;
}

/** Attached files must be this account's, with purpose dispute_evidence. */
function assertEvidenceFile(ctx: RequestContext, field: string, id: string) {
  const file = ctx.state.get(ctx.account, 'file', id);
  if (!file)
    throw invalidParam(`evidence[${field}]`, `No such file upload: '${id}'`, 'resource_missing');
  if (file.purpose !== 'dispute_evidence') {
    throw invalidParam(
      `evidence[${field}]`,
      `The file ${id} has purpose '${String(file.purpose)}'; dispute evidence needs purpose 'dispute_evidence'.`,
    );
  }
}

function applyEnhanced(dispute: StoredObject, enhanced: unknown) {
  if (enhanced === undefined || enhanced === '') return;
  if (typeof enhanced !== 'object' || enhanced === null) {
    throw invalidParam('evidence[enhanced_evidence]', 'Invalid hash', 'parameter_invalid_hash');
  }
  const target = (dispute.evidence as { enhanced_evidence: Record<string, unknown> })
    .enhanced_evidence;
  for (const [k, v] of Object.entries(enhanced)) {
    if (k !== 'visa_compelling_evidence_3' && k !== 'visa_compliance') {
      throw invalidParam(
        `evidence[enhanced_evidence][${k}]`,
        `Received unknown parameter: evidence[enhanced_evidence][${k}]`,
        'parameter_unknown',
      );
    }
    target[k] = v;
  }
  const ce3 = target.visa_compelling_evidence_3 as
    { prior_undisputed_transactions?: unknown[] | Record<string, unknown> } | undefined;
  const prior = ce3?.prior_undisputed_transactions;
  const count = Array.isArray(prior) ? prior.length : prior ? Object.keys(prior).length : 0;
  const eligibility = (
    dispute.evidence_details as { enhanced_eligibility: Record<string, unknown> }
  ).enhanced_eligibility as {
    visa_compelling_evidence_3?: { required_actions: string[]; status: string };
  };
  if (eligibility.visa_compelling_evidence_3 && count >= 2) {
    eligibility.visa_compelling_evidence_3 = { required_actions: [], status: 'qualified' };
  }
}

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
      assertAnswerable(ctx, dispute);
      const previous: Record<string, unknown> = {};
      const evidence = ctx.params.evidence as Record<string, unknown> | undefined;
      if (evidence !== undefined) {
        previous.evidence = structuredClone(dispute.evidence);
        const current = dispute.evidence as Record<string, unknown>;
        const { enhanced_evidence: enhanced, ...plain } = evidence;
        for (const [field, value] of Object.entries(plain)) {
          if (!(EVIDENCE_FIELDS as readonly string[]).includes(field)) {
            throw invalidParam(
              `evidence[${field}]`,
              `Received unknown parameter: evidence[${field}]`,
              'parameter_unknown',
            );
          }
          const text = str(value, `evidence[${field}]`);
          if (text && FILE_EVIDENCE.has(field)) assertEvidenceFile(ctx, field, text);
          current[field] = text;
        }
        const used = EVIDENCE_FIELDS.filter((f) => !FILE_EVIDENCE.has(f)).reduce(
          (n, f) => n + (typeof current[f] === 'string' ? current[f].length : 0),
          0,
        );
        if (used > TEXT_LIMIT) {
          dispute.evidence = previous.evidence;
          throw invalidParam(
            'evidence',
            `The combined length of the evidence text fields is ${used} characters; the maximum is ${TEXT_LIMIT}.`,
            'parameter_invalid_string_length',
          );
        }
        applyEnhanced(dispute, enhanced);
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
      const caseType = (dispute.payment_method_details as { card?: { case_type?: string } })?.card
        ?.case_type;
      const enhancedNow = (
        dispute.evidence as {
          enhanced_evidence?: { visa_compliance?: { fee_acknowledged?: unknown } };
        }
      ).enhanced_evidence;
      const feeAcknowledged = String(enhancedNow?.visa_compliance?.fee_acknowledged) === 'true';
      // `submit` defaults to true when evidence is sent; sent alone, it submits what is saved.
      const submitting = submit && (evidence !== undefined || ctx.params.submit !== undefined);
      if (submitting && caseType === 'compliance' && !feeAcknowledged) {
        if (previous.evidence) dispute.evidence = previous.evidence;
        throw invalidParam(
          'evidence[enhanced_evidence][visa_compliance][fee_acknowledged]',
          'You must acknowledge the Visa compliance dispute fee (evidence[enhanced_evidence][visa_compliance][fee_acknowledged]=true) to submit evidence for this dispute.',
        );
      }
      if (submitting) {
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
      if (submitting && (text === 'winning_evidence' || text === 'losing_evidence')) {
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
      if (isClosed(dispute)) {
        throw invalidParam('dispute', 'This dispute is already closed.', 'dispute_already_closed');
      }
      if (isSubmitted(dispute)) {
        throw invalidParam(
          'dispute',
          'Evidence for this dispute has already been submitted; it can no longer be closed.',
          'dispute_already_submitted',
        );
      }
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
