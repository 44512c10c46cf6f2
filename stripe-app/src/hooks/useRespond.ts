// View-model of answering one dispute: the draft with each field's label, value and source, the
// checklist and completeness, what is missing, and the actions — edits kept locally until Save
// (one save action: the edits, then the draft saved at Stripe), Submit and Accept each confirmed
// by typing the dispute id. A stale draft (someone else changed it) reloads with a clear notice.
import { useState } from 'react';
import type { EvidenceDraft } from '@disputedesk/contract';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/client';
import { label } from '../format';
import { useAsync } from './use-async';
// Stripe's evidence fields, shared with the backend (a module without imports, bundled as is).
import { FILE_FIELDS } from '../../../server/src/disputes/evidence/fields';

const FILE_FIELD_SET = new Set<string>(FILE_FIELDS);

export interface FieldModel {
  name: string;
  label: string;
  value: string;
  source: string | null;
  isFile: boolean;
  importance: 'required' | 'recommended' | null;
  filled: boolean;
}

export interface RespondModel {
  pending: boolean;
  error: string | null;
  draft: EvidenceDraft | null;
  answerable: boolean;
  whyNot: string | null;
  completeness: number;
  missing: string[];
  /** Fields of the checklist first (required, then recommended), then the rest. */
  fields: FieldModel[];
  ce3: string | null;
  compliance: boolean;
  busy: boolean;
  notice: { type: 'default' | 'critical'; title: string; detail?: string } | null;
  dirty: boolean;
  edit: (field: string, value: string) => void;
  save: () => Promise<void>;
  submit: (
    confirm: string,
    opts: { feeAcknowledged: boolean; allowIncomplete: boolean },
  ) => Promise<void>;
  accept: (confirm: string) => Promise<void>;
  attached: (field: string, fileId: string) => Promise<void>;
  generate: (kind: 'receipt' | 'payment_history') => Promise<void>;
}

export function useRespond(api: ApiClient, disputeId: string): RespondModel {
  const { pending, data, error, reload } = useAsync(() => api.evidence(disputeId), disputeId);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<RespondModel['notice']>(null);
  const [fresh, setFresh] = useState<EvidenceDraft | null>(null);
  const draft = fresh && fresh.disputeId === disputeId ? fresh : data;

  const act = async (what: string, run: (d: EvidenceDraft) => Promise<EvidenceDraft | null>) => {
    if (!draft) return;
    setBusy(true);
    setNotice(null);
    try {
      const next = await run(draft);
      if (next) setFresh(next);
      setEdits({});
      setNotice({ type: 'default', title: what });
      if (!next) reload();
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'error', String(err));
      const stale = (e.details as { reason?: string }).reason === 'stale_version';
      setNotice({
        type: 'critical',
        title: stale ? 'Someone else changed this draft' : 'Not done',
        detail: stale ? 'It was reloaded with their changes; apply yours again.' : e.message,
      });
      if (stale) {
        setFresh(null);
        reload();
      }
    } finally {
      setBusy(false);
    }
  };

  const withEdits = async (d: EvidenceDraft) =>
    Object.keys(edits).length
      ? api.editEvidence(
          disputeId,
          d.version,
          Object.fromEntries(Object.entries(edits).map(([k, v]) => [k, v.trim() ? v : null])),
        )
      : d;

  const importance = new Map(draft?.checklist.items.map((i) => [i.field, i] as const) ?? []);
  const order = (f: string) => {
    const i = importance.get(f);
    return i ? (i.importance === 'required' ? 0 : 1) : 2;
  };
  const fields: FieldModel[] = draft
    ? Object.entries(draft.fields)
        .map(([name, f]) => ({
          name,
          label: label(name),
          value: edits[name] ?? f.value ?? '',
          source: f.source,
          isFile: FILE_FIELD_SET.has(name),
          importance: importance.get(name)?.importance ?? null,
          filled: Boolean((edits[name] ?? f.value ?? '').trim()),
        }))
        .sort((a, b) => order(a.name) - order(b.name) || a.name.localeCompare(b.name))
    : [];
  const ce3 = draft?.ce3
    ? draft.ce3.enoughPriorTransactions
      ? `Visa Compelling Evidence 3.0: ${draft.ce3.priorTransactions.length} earlier undisputed payments of this customer or card will be sent.`
      : `Visa Compelling Evidence 3.0: fewer than two earlier undisputed payments found (${draft.ce3.requiredActions.join(', ') || 'none required'}).`
    : null;

  return {
    pending: pending && !draft,
    error: error && !draft ? error.message : null,
    draft,
    answerable: draft?.answerable.ok ?? false,
    whyNot: draft?.answerable.reason ?? null,
    completeness: draft?.checklist.completeness ?? 0,
    missing:
      draft?.checklist.missingRequired.filter((f) => !(edits[f] ?? '').trim()).map(label) ?? [],
    fields,
    ce3,
    compliance: draft?.type === 'COMPLIANCE',
    busy,
    notice,
    dirty: Object.keys(edits).length > 0,
    edit: (field, value) => setEdits((e) => ({ ...e, [field]: value })),
    save: () =>
      act('Saved to Stripe — not submitted yet.', async (d) => {
        const edited = await withEdits(d);
        return api.saveEvidence(disputeId, edited.version);
      }),
    submit: (confirm, opts) =>
      act('Evidence submitted to the issuer.', async (d) => {
        const edited = await withEdits(d);
        return api.submitEvidence(disputeId, { version: edited.version, confirm, ...opts });
      }),
    accept: (confirm) =>
      act('Dispute accepted.', async () => {
        await api.acceptDispute(disputeId, confirm);
        return null;
      }),
    attached: (field, fileId) =>
      act('File attached.', async (d) => {
        const edited = await withEdits(d);
        return api.attachFile(disputeId, { version: edited.version, field, fileId });
      }),
    generate: (kind) =>
      act(
        kind === 'receipt'
          ? 'Receipt generated and attached.'
          : 'Payment history generated and attached.',
        async (d) => {
          const edited = await withEdits(d);
          return api.generateDocument(disputeId, { version: edited.version, kind });
        },
      ),
  };
}
