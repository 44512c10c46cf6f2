// Evidence files into a draft's file fields. Either a File the merchant already uploaded to
// Stripe (the app's FileUploader uploads straight to Stripe and hands back its id) — checked at
// Stripe: this account's, purpose dispute_evidence, PDF/JPEG/PNG, at most 5 MB — or bytes we
// upload to Stripe's Files API ourselves, after checking their type from their content and their
// size. Either way the field then names the File id, with the file as its source.
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { AppError } from '../../errors.ts';
import type { EvidenceActor } from './actor.ts';
import type { DraftView } from './draft-view.ts';
import { editDraft } from './edit-draft.ts';
import { isFileField, type FileField } from './fields.ts';
import type { EvidenceDeps } from './run-dispute-action.ts';
import { EVIDENCE_FILE_MAX_BYTES, MIME, sniffEvidenceType } from './sniff.ts';

function fileField(field: string): FileField {
  if (!isFileField(field)) {
    throw new AppError('bad_request', `${field} is not a file field of dispute evidence.`, {
      reason: 'not_a_file_field',
    });
  }
  return field;
}

export async function attachStripeFile(
  deps: EvidenceDeps,
  tenantId: string,
  disputeId: string,
  input: { version: number; field: string; fileId: string },
  actor: EvidenceActor,
): Promise<DraftView> {
  const field = fileField(input.field);
  const stripe = await deps.clients.forTenant(tenantId);
  let file: Stripe.File;
  try {
    file = await stripe.files.retrieve(input.fileId);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError && err.statusCode === 404)
      throw new AppError('not_found', `No file ${input.fileId} on this account.`);
    throw err;
  }
  if (file.purpose !== 'dispute_evidence') {
    throw new AppError(
      'bad_request',
      `File ${file.id} has purpose ${file.purpose}; evidence needs dispute_evidence.`,
      {
        reason: 'wrong_purpose',
      },
    );
  }
  if (
    !['pdf', 'jpg', 'jpeg', 'png'].includes(String(file.type)) ||
    file.size > EVIDENCE_FILE_MAX_BYTES
  ) {
    throw new AppError(
      'bad_request',
      `File ${file.id} must be a PDF, JPEG or PNG of at most 5 MB.`,
      {
        reason: 'invalid_file',
      },
    );
  }
  return editDraft(
    deps.pool,
    tenantId,
    disputeId,
    {
      version: input.version,
      fields: { [field]: file.id },
      sources: { [field]: `upload: ${file.filename ?? file.id}` },
    },
    actor,
  );
}

export async function uploadEvidenceFile(
  deps: EvidenceDeps,
  tenantId: string,
  disputeId: string,
  input: { version: number; field: string; filename: string; data: Buffer; sourceLabel?: string },
  actor: EvidenceActor,
): Promise<DraftView> {
  const field = fileField(input.field);
  if (input.data.length === 0)
    throw new AppError('bad_request', 'The file is empty.', { reason: 'empty_file' });
  if (input.data.length > EVIDENCE_FILE_MAX_BYTES) {
    throw new AppError(
      'payload_too_large',
      `Evidence files may be at most 5 MB (this one is ${input.data.length} bytes).`,
      {
        reason: 'file_too_large',
      },
    );
  }
  const type = sniffEvidenceType(input.data);
  if (!type) {
    throw new AppError(
      'unsupported_media_type',
      'Evidence files must be PDF, JPEG or PNG (checked from the content, not the name).',
      {
        reason: 'invalid_file_type',
      },
    );
  }
  const stripe = await deps.clients.forTenant(tenantId);
  const digest = createHash('sha256').update(input.data).digest('hex').slice(0, 32);
  const file = await stripe.files.create(
    {
      purpose: 'dispute_evidence',
      file: { data: input.data, name: input.filename, type: MIME[type] },
    },
    { idempotencyKey: `dd-file-${disputeId}-${field}-${digest}` },
  );
  return editDraft(
    deps.pool,
    tenantId,
    disputeId,
    {
      version: input.version,
      fields: { [field]: file.id },
      sources: { [field]: input.sourceLabel ?? `upload: ${input.filename}` },
    },
    actor,
  );
}
