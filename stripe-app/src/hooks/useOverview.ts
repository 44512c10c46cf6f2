// View-model of the home overview: connection health, backfill and reports, the dispute
// figures, the weekly chart and the most urgent disputes.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { label, money, percent, localeOf } from '../format';
import { connectionModel, type ConnectionModel } from './connection';
import { disputeCard, type DisputeCardModel } from './dispute-card';
import { failure } from './use-async';
import { useStatusAndSummary } from './use-status-summary';

export interface OverviewModel {
  pending: boolean;
  error: string | null;
  connection: ConnectionModel | null;
  /** Figures exist only for a connected account. */
  figures: Array<{ key: string; label: string; value: string }>;
  amountAtRisk: string[];
  byReason: Array<{ key: string; reason: string; count: number }>;
  chart: Array<{ week: string; outcome: string; count: number }>;
  urgent: DisputeCardModel[];
  noDisputes: boolean;
  /** The history import has not finished: the figures are not final. */
  partial: boolean;
  reload: () => void;
}

export function useOverview(context: ExtensionContextValue, now = Date.now()): OverviewModel {
  const { pending, data, error, reload } = useStatusAndSummary(context);
  const why = failure(error);
  const s = data?.summary ?? null;
  const locale = localeOf(context);
  return {
    pending,
    error: why ? (why.kind === 'error' ? why.message : why.kind) : null,
    connection: data ? connectionModel(data.status, now, locale) : null,
    figures: s
      ? [
          { key: 'open', label: 'Open disputes', value: String(s.open) },
          { key: 'needs', label: 'Need a response', value: String(s.needsResponse) },
          { key: 'due', label: 'Due within 72 hours', value: String(s.dueWithin72h) },
          {
            key: 'win',
            label: 'Win rate (90 days)',
            value: `${percent(s.winRate90d.rate)} (${s.winRate90d.won} won, ${s.winRate90d.lost} lost)`,
          },
        ]
      : [],
    amountAtRisk: s?.amountAtRisk.map((m) => money(m.amount, m.currency, locale)) ?? [],
    byReason:
      s?.byReason90d.map((r) => ({ key: r.reason, reason: label(r.reason), count: r.count })) ?? [],
    chart: s?.weekly ?? [],
    urgent: s?.urgent.map((d) => disputeCard(d, now, locale)) ?? [],
    noDisputes: !!s && s.open === 0 && s.weekly.length === 0,
    partial: !!data && data.status.backfill.status !== 'succeeded',
    reload,
  };
}
