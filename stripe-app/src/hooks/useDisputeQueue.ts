// View-model of the disputes queue beside the payments list: the open disputes that can still be
// answered, soonest deadline first, each linking to its payment's page; the import's state so an
// empty queue during the history import is not taken for "nothing to do".
import type { Status } from '@disputedesk/contract';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { useApi } from '../api/use-api';
import { localeOf } from '../format';
import { connectionModel, type ConnectionModel } from './connection';
import { disputeCard, type DisputeCardModel } from './dispute-card';
import { failure, useAsync } from './use-async';

export interface DisputeQueueModel {
  pending: boolean;
  error: string | null;
  connection: ConnectionModel | null;
  queue: DisputeCardModel[];
  /** More open disputes than one page: the queue shows the most recent 100. */
  more: boolean;
  importing: boolean;
  reload: () => void;
}

const PAGE = 100;

export function useDisputeQueue(
  context: ExtensionContextValue,
  now = Date.now(),
): DisputeQueueModel {
  const api = useApi(context);
  const { pending, data, error, reload } = useAsync(
    async (): Promise<{
      status: Status;
      list: Awaited<ReturnType<typeof api.disputes>> | null;
    }> => {
      const status = await api.status();
      const connected =
        status.connection.status === 'active' || status.connection.status === 'paused';
      return {
        status,
        list: connected ? await api.disputes({ status: 'OPEN', limit: String(PAGE) }) : null,
      };
    },
    `${context.userContext.account.id}:${context.environment.mode}`,
  );
  const why = failure(error);
  const locale = localeOf(context);
  const queue = (data?.list?.data ?? [])
    .map((d) => ({ due: d.challengeRequiredBy, card: disputeCard(d, now, locale) }))
    .filter((x) => x.card.answerable)
    .sort((a, b) => (a.due ?? '').localeCompare(b.due ?? ''))
    .map((x) => x.card);
  return {
    pending,
    error: why ? (why.kind === 'error' ? why.message : why.kind) : null,
    connection: data ? connectionModel(data.status, now, locale) : null,
    queue,
    more: data?.list?.has_more ?? false,
    importing: !!data && data.status.backfill.status !== 'succeeded',
    reload,
  };
}
