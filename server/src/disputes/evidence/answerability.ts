// Whether a dispute can still be answered, and in words why not: closed, already submitted (Stripe
// takes one submission), or its deadline passed (or the issuer allows no response at all).
import type { UnifiedReason } from '../reason-codes.ts';

export interface DisputeState {
  disputeId: string;
  type: string;
  status: string;
  stripeStatus: string;
  reason: UnifiedReason;
  dueBy: Date | null;
  submissions: number;
}

export function answerability(
  d: DisputeState,
  now = Date.now(),
): { ok: boolean; reason: string | null } {
  if (d.status !== 'OPEN') {
    return {
      ok: false,
      reason:
        d.status === 'CHALLENGED'
          ? 'Evidence was already submitted; the issuer is reviewing it.'
          : `The dispute is closed (${d.status.toLowerCase()}).`,
    };
  }
  if (d.submissions > 0) return { ok: false, reason: 'Evidence was already submitted.' };
  if (!d.dueBy) return { ok: false, reason: 'The issuer allows no response to this dispute.' };
  if (d.dueBy.getTime() <= now) {
    return { ok: false, reason: `The deadline passed on ${d.dueBy.toISOString()}.` };
  }
  return { ok: true, reason: null };
}
