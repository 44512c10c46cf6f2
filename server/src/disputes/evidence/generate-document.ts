// A generated evidence document (receipt, or the customer's payment history) rendered from stored
// data, uploaded to Stripe's Files API and attached to its field (`receipt`, `uncategorized_file`),
// its source saying it was generated. Deterministic content; the upload's idempotency key is the
// document's hash, so generating the same document twice uploads it once.
import { AppError } from '../../errors.ts';
import type { EvidenceActor } from './actor.ts';
import { uploadEvidenceFile } from './attach-file.ts';
import type { DraftView } from './draft-view.ts';
import { loadEvidenceContext } from './load-context.ts';
import { renderPaymentHistory, renderReceipt, type HistoryRow } from './render-documents.ts';
import type { EvidenceDeps } from './run-dispute-action.ts';

export type DocumentKind = 'receipt' | 'payment_history';

export async function generateEvidenceDocument(
  deps: EvidenceDeps,
  tenantId: string,
  disputeId: string,
  input: { version: number; kind: DocumentKind },
  actor: EvidenceActor,
): Promise<DraftView> {
  const ctx = await loadEvidenceContext(deps.pool, tenantId, disputeId);
  if (!ctx) throw new AppError('not_found', `No dispute ${disputeId}.`);
  if (!ctx.charge) {
    throw new AppError(
      'conflict',
      'The disputed payment is not stored yet; try again in a moment.',
      {
        reason: 'payment_unknown',
      },
    );
  }
  const { rows: tenant } = await deps.pool.query<{ name: string }>(
    `SELECT coalesce(display_name, stripe_account_id) AS name FROM tenants WHERE id = $1`,
    [tenantId],
  );
  const merchant = tenant[0]?.name ?? 'the merchant';
  let data: Buffer;
  if (input.kind === 'receipt') {
    data = await renderReceipt(ctx, merchant);
  } else {
    const { rows } = await deps.pool.query<HistoryRow>(
      `SELECT stripe_id AS id, to_char(stripe_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created,
              amount::float8 AS amount, currency, status, amount_refunded::float8 AS refunded, disputed,
              raw->>'description' AS description
         FROM charges
        WHERE tenant_id = $1 AND (customer_id = $2 OR card_fingerprint = $3)
          AND stripe_created_at > now() - interval '2 years'
        ORDER BY stripe_created_at DESC LIMIT 200`,
      [
        tenantId,
        ctx.charge.customer
          ? String(
              typeof ctx.charge.customer === 'string'
                ? ctx.charge.customer
                : ctx.charge.customer.id,
            )
          : null,
        ctx.charge.payment_method_details?.card?.fingerprint ?? null,
      ],
    );
    data = await renderPaymentHistory(ctx, merchant, rows);
  }
  return uploadEvidenceFile(
    deps,
    tenantId,
    disputeId,
    {
      version: input.version,
      field: input.kind === 'receipt' ? 'receipt' : 'uncategorized_file',
      filename: `${input.kind}-${disputeId}.pdf`,
      data,
      sourceLabel: `generated ${input.kind === 'receipt' ? 'receipt' : 'payment history'} (PDF)`,
    },
    actor,
  );
}
