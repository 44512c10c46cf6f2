// The views' access to the backend: one client per user, account and mode, built from the
// extension's context; the backend URL is the manifest constant API_BASE.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { useMemo } from 'react';
import { createApiClient, type ApiClient } from './client';

export function backendUrl(context: ExtensionContextValue): string {
  const constants = context.environment.constants as Record<string, unknown> | undefined;
  const url = constants?.API_BASE;
  if (typeof url !== 'string') throw new Error('The manifest constant API_BASE is missing.');
  return url;
}

export function useApi(context: ExtensionContextValue): ApiClient {
  const userId = context.userContext.id ?? '';
  const accountId = context.userContext.account.id;
  const mode = context.environment.mode;
  const baseUrl = backendUrl(context);
  return useMemo(
    () => createApiClient({ baseUrl, userId, accountId, mode }),
    [baseUrl, userId, accountId, mode],
  );
}
