// The connection status and, for a connected account, the dispute summary: what the overview and
// the drawer both read.
import type { Status, Summary } from '@disputedesk/contract';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { useApi } from '../api/use-api';
import { useAsync } from './use-async';

export function useStatusAndSummary(context: ExtensionContextValue) {
  const api = useApi(context);
  return useAsync<{ status: Status; summary: Summary | null }>(async () => {
    const status = await api.status();
    const connected =
      status.connection.status === 'active' || status.connection.status === 'paused';
    return { status, summary: connected ? await api.summary() : null };
  }, `${context.userContext.account.id}:${context.environment.mode}`);
}
