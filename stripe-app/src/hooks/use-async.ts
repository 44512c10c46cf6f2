// Loads something once per key and on reload, keeping the last answer while reloading. Errors
// arrive as ApiError (the backend's code, message and details) or a generic one.
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client';

export interface AsyncState<T> {
  pending: boolean;
  data: T | null;
  error: ApiError | null;
  reload: () => void;
}

export function useAsync<T>(load: () => Promise<T>, key: string): AsyncState<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; pending: boolean }>({
    data: null,
    error: null,
    pending: true,
  });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, pending: true }));
    load().then(
      (data) => live && setState({ data, error: null, pending: false }),
      (err: unknown) =>
        live &&
        setState({
          data: null,
          error: err instanceof ApiError ? err : new ApiError(0, 'error', String(err)),
          pending: false,
        }),
    );
    return () => {
      live = false;
    };
    // `load` changes every render; the key says when the thing to load changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}

/** Why a read failed, in the terms the views show. */
export function failure(error: ApiError | null) {
  if (!error) return null;
  const reason = (error.details as { reason?: string }).reason;
  if (reason === 'not_connected' || reason === 'disconnected') return { kind: reason } as const;
  return { kind: 'error', message: error.message } as const;
}
