// View-model of the settings page: connect or reconnect (the install link; a restricted key is
// connected on the backend's own page, not in the app), notification destinations (add, test,
// rotate the secret — shown once, copyable, dismissable —, enable, remove after confirming),
// automatic submission, and disconnecting with the account id typed back.
import type { Destination, Status } from '@disputedesk/contract';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { localeOf } from '../format';
import { clipboardWriteText } from '@stripe/ui-extension-sdk/utils';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { backendUrl, useApi } from '../api/use-api';
import { connectionModel, type ConnectionModel } from './connection';
import { useAsync } from './use-async';

export interface Notice {
  type: 'default' | 'caution' | 'critical';
  title: string;
  detail?: string;
}

export interface SettingsModel {
  pending: boolean;
  error: string | null;
  accountId: string;
  connection: ConnectionModel | null;
  connected: boolean;
  notice: Notice | null;
  busy: boolean;
  /** The backend's page for connecting with a restricted key. */
  keyPageUrl: string;
  destinations: Array<Destination & { testResult: string | null }>;
  newUrl: { value: string; set: (v: string) => void; submit: () => void };
  revealedSecret: { title: string; secret: string } | null;
  /** The shown-once secret: copied to the clipboard, or put away for good. */
  copySecret: () => void;
  dismissSecret: () => void;
  /** The destination whose removal waits for a second, confirming press. */
  confirmingRemoval: string | null;
  askRemove: (id: string | null) => void;
  /** Bumped after a form is submitted, so its uncontrolled inputs start empty again. */
  formKey: number;
  toggle: (id: string, enabled: boolean) => void;
  rotate: (id: string) => void;
  test: (id: string) => void;
  remove: (id: string) => void;
  disconnect: { value: string; set: (v: string) => void; submit: () => void; ready: boolean };
  reload: () => void;
}

export function useSettings(context: ExtensionContextValue, now = Date.now()): SettingsModel {
  const api = useApi(context);
  const accountId = context.userContext.account.id;
  const [version, setVersion] = useState(0);
  const { pending, data, error, reload } = useAsync<{
    status: Status;
    destinations: Destination[];
  }>(async () => {
    const status = await api.status();
    const live = status.connection.status === 'active' || status.connection.status === 'paused';
    return { status, destinations: live ? (await api.destinations()).data : [] };
  }, `${accountId}:${context.environment.mode}:${version}`);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const [newUrl, setNewUrl] = useState('');
  const [confirm, setConfirm] = useState('');
  const [revealedSecret, setRevealed] = useState<SettingsModel['revealedSecret']>(null);
  const [tests, setTests] = useState<Record<string, string>>({});
  const [confirmingRemoval, setConfirmingRemoval] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);

  /** Runs an action: one at a time, its outcome as a notice, then fresh data. */
  const act = (run: () => Promise<Notice | null>) => {
    if (busy) return;
    setBusy(true);
    run()
      .then(
        (n) => setNotice(n),
        (err: unknown) =>
          setNotice({
            type: 'critical',
            title: err instanceof ApiError ? err.message : 'Something went wrong.',
          }),
      )
      .finally(() => {
        setBusy(false);
        setVersion((v) => v + 1);
      });
  };

  const connection = data ? connectionModel(data.status, now, localeOf(context)) : null;
  return {
    pending,
    error: error?.message ?? null,
    accountId,
    connection,
    connected: connection?.connected ?? false,
    notice,
    busy,
    keyPageUrl: `${backendUrl(context)}/connect/api-key`,
    destinations: (data?.destinations ?? []).map((d) => ({
      ...d,
      testResult: tests[d.id] ?? null,
    })),
    newUrl: {
      value: newUrl,
      set: setNewUrl,
      submit: () =>
        act(async () => {
          const created = await api.createDestination(newUrl.trim());
          setNewUrl('');
          setFormKey((k) => k + 1);
          setRevealed({
            title: `Signing secret for ${created.url}`,
            secret: created.signingSecret,
          });
          return { type: 'default', title: 'Destination added.', detail: created.note };
        }),
    },
    revealedSecret,
    copySecret: () => {
      if (!revealedSecret) return;
      clipboardWriteText(revealedSecret.secret).then(
        () => setNotice({ type: 'default', title: 'Signing secret copied.' }),
        () =>
          setNotice({ type: 'caution', title: 'Could not copy: select the secret and copy it.' }),
      );
    },
    dismissSecret: () => setRevealed(null),
    confirmingRemoval,
    askRemove: setConfirmingRemoval,
    formKey,
    toggle: (id, enabled) =>
      act(async () => {
        await api.setDestinationEnabled(id, enabled);
        return null;
      }),
    rotate: (id) =>
      act(async () => {
        const r = await api.rotateDestinationSecret(id);
        setRevealed({ title: 'New signing secret', secret: r.signingSecret });
        return { type: 'default', title: 'Secret rotated.', detail: r.note };
      }),
    test: (id) =>
      act(async () => {
        const r = await api.testDestination(id);
        const text = r.delivered
          ? `Delivered: answered ${r.httpStatus} in ${r.durationMs} ms`
          : `Not delivered: ${r.error ?? 'no answer'}`;
        setTests((t) => ({ ...t, [id]: text }));
        return null;
      }),
    remove: (id) =>
      act(async () => {
        setConfirmingRemoval(null);
        await api.deleteDestination(id);
        return { type: 'default', title: 'Destination removed.' };
      }),
    disconnect: {
      value: confirm,
      set: setConfirm,
      ready: confirm.trim() === accountId,
      submit: () =>
        act(async () => {
          const r = await api.disconnect(confirm.trim());
          setConfirm('');
          setFormKey((k) => k + 1);
          return {
            type: r.revocation.done ? 'default' : 'caution',
            title: 'DisputeDesk is disconnected from this account.',
            detail: r.revocation.detail,
          };
        }),
    },
    reload,
  };
}
