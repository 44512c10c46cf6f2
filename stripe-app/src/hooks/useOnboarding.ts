// View-model of the first run: connected → importing history (with progress) → ready. Re-reads the
// status every few seconds until the import has finished, so the steps move on their own.
import type { Status } from '@disputedesk/contract';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { useEffect } from 'react';
import { useApi } from '../api/use-api';
import { useAsync } from './use-async';

type TaskStatus = 'not-started' | 'in-progress' | 'blocked' | 'complete';

export interface OnboardingModel {
  pending: boolean;
  error: string | null;
  completed: boolean;
  title: string;
  description: string;
  tasks: Array<{ title: string; status: TaskStatus }>;
  installUrl: string | null;
  importError: string | null;
  reload: () => void;
}

export const ONBOARDING_POLL_MS = 5000;

export function onboardingModel(s: Status): Omit<OnboardingModel, 'pending' | 'error' | 'reload'> {
  const c = s.connection;
  const connected = c.status === 'active' || c.status === 'paused';
  const waiting = c.status === 'pending';
  const b = s.backfill;
  const imported = connected && b.status === 'succeeded';
  const failed = connected && b.status === 'failed';
  const connect: TaskStatus = connected ? 'complete' : waiting ? 'in-progress' : 'not-started';
  const history: TaskStatus = !connected
    ? 'not-started'
    : imported
      ? 'complete'
      : failed
        ? 'blocked'
        : 'in-progress';
  return {
    completed: imported,
    title: imported
      ? 'DisputeDesk is ready'
      : connected
        ? 'Importing your dispute history'
        : waiting
          ? 'Finishing the install'
          : 'Connect DisputeDesk',
    description: imported
      ? 'Open a payment to answer its disputes; the home page shows your outcomes and network ratios.'
      : connected
        ? `${b.percent} % imported (${b.objects.toLocaleString('en-US')} objects). Figures stay marked partial until it finishes.`
        : waiting
          ? 'Stripe has confirmed the install; DisputeDesk is setting up the connection.'
          : 'Connect this account so DisputeDesk can import its disputes and follow new ones.',
    tasks: [
      { title: 'Connect your Stripe account', status: connect },
      {
        title: connected && !imported ? `Import history (${b.percent} %)` : 'Import history',
        status: history,
      },
      {
        title: 'Answer disputes from the payment page',
        status: imported ? 'complete' : 'not-started',
      },
    ],
    installUrl: connected || waiting ? null : c.installUrl,
    importError: failed ? (b.error ?? 'The history import failed.') : null,
  };
}

export function useOnboarding(context: ExtensionContextValue): OnboardingModel {
  const api = useApi(context);
  const { pending, data, error, reload } = useAsync(
    () => api.status(),
    `${context.userContext.account.id}:${context.environment.mode}`,
  );
  const model = data ? onboardingModel(data) : null;
  const done = model?.completed ?? false;
  useEffect(() => {
    if (done || !data) return;
    const timer = setTimeout(reload, ONBOARDING_POLL_MS);
    return () => clearTimeout(timer);
  }, [data, done, reload]);
  return {
    pending: pending && !data,
    error: error ? error.message : null,
    completed: done,
    title: model?.title ?? 'DisputeDesk',
    description: model?.description ?? '',
    tasks: model?.tasks ?? [],
    installUrl: model?.installUrl ?? null,
    importError: model?.importError ?? null,
    reload,
  };
}
