// View-model of the drawer on every other page: status in a few lines and the most urgent
// dispute.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { localeOf } from '../format';
import { connectionModel, type ConnectionModel } from './connection';
import { disputeCard, type DisputeCardModel } from './dispute-card';
import { failure } from './use-async';
import { useStatusAndSummary } from './use-status-summary';

export interface StatusDrawerModel {
  pending: boolean;
  error: string | null;
  connection: ConnectionModel | null;
  lines: string[];
  mostUrgent: DisputeCardModel | null;
  reload: () => void;
}

export function useStatusDrawer(
  context: ExtensionContextValue,
  now = Date.now(),
): StatusDrawerModel {
  const { pending, data, error, reload } = useStatusAndSummary(context);
  const why = failure(error);
  const s = data?.summary ?? null;
  const locale = localeOf(context);
  const connection = data ? connectionModel(data.status, now, locale) : null;
  return {
    pending,
    error: why ? (why.kind === 'error' ? why.message : why.kind) : null,
    connection,
    lines: s
      ? [
          `${s.open} open dispute${s.open === 1 ? '' : 's'}, ${s.needsResponse} needing a response`,
          `${s.dueWithin72h} due within 72 hours`,
          `Last webhook ${connection?.lastWebhook ?? 'never'}`,
        ]
      : [],
    mostUrgent: s?.urgent[0] ? disputeCard(s.urgent[0], now, locale) : null,
    reload,
  };
}
