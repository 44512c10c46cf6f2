// Editing a draft: the fields given replace the draft's (each then marked edited, with who typed
// it as its source); the rest stay. Optimistic concurrency: the caller names the version it
// read, and a draft changed since (the Dashboard in another tab, a colleague, support) is never
// silently overwritten — 409 with the current version. Text within Stripe's 150,000 characters;
// file fields take File ids only.
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import { editedSource, type EvidenceActor } from './actor.ts';
import { answerableDispute, getDraftView, readDraft, type DraftView } from './draft-view.ts';
import { isFileField, TEXT_LIMIT, textLength, type EvidenceField } from './fields.ts';

export async function editDraft(
  pool: Pool,
  tenantId: string,
  disputeId: string,
  input: {
    version: number;
    fields: Partial<Record<EvidenceField, string | null>>;
    /** Where a value came from when not typed (an upload, a generated document). */
    sources?: Partial<Record<EvidenceField, string>>;
  },
  actor: EvidenceActor,
): Promise<DraftView> {
  await answerableDispute(pool, tenantId, disputeId);
  const current = await readDraft(pool, tenantId, disputeId);
  if (!current) await getDraftView(pool, tenantId, disputeId); // creates it, or says why not
  const draft = current ?? (await readDraft(pool, tenantId, disputeId))!;
  const fields = structuredClone(draft.fields);
  for (const [name, raw] of Object.entries(input.fields) as Array<[EvidenceField, string | null]>) {
    const value = raw?.trim() ? raw : null;
    if (value && isFileField(name) && !/^file_[A-Za-z0-9]+$/.test(value)) {
      throw new AppError('bad_request', `${name} takes a File id (file_…), uploaded first.`, {
        reason: 'invalid_file_id',
        field: name,
      });
    }
    const source = input.sources?.[name] ?? editedSource(actor);
    fields[name] = { value, source: value ? source : null, edited: true };
  }
  const used = textLength(fields);
  if (used > TEXT_LIMIT) {
    throw new AppError(
      'bad_request',
      `The evidence text is ${used} characters; Stripe takes at most ${TEXT_LIMIT} for all fields together.`,
      { reason: 'evidence_too_long', used, limit: TEXT_LIMIT },
    );
  }
  const { rowCount } = await pool.query(
    `UPDATE evidence_drafts SET fields = $4, version = version + 1, state = 'draft',
            updated_by = $5, updated_at = now()
      WHERE tenant_id = $1 AND dispute_id = $2 AND version = $3 AND state IN ('draft', 'saved')`,
    [tenantId, disputeId, input.version, JSON.stringify(fields), actor.name],
  );
  if (!rowCount) throw staleVersion(draft.version, input.version);
  return getDraftView(pool, tenantId, disputeId);
}

export const staleVersion = (current: number, given: number) =>
  new AppError(
    'conflict',
    `The draft changed since version ${given} (now ${current}): reload it and apply your edits again.`,
    { reason: 'stale_version', currentVersion: current },
  );
