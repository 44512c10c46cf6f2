// The one client of the DisputeDesk backend. Every request carries the Dashboard user's and
// account's ids and a Stripe-Signature from fetchStripeSignature(binding): over them and this
// request's method, path with query, mode and body hash (request-binding.ts), so a captured
// header authorizes nothing else. The backend verifies it and takes the account from it, never
// from anything else we send.
import type {
  ApiErrorBody,
  CreatedDestination,
  Destination,
  DisputeDetail,
  EvidenceDraft,
  EvidenceSettings,
  DisputeList,
  PaymentDisputes,
  RotatedSecret,
  Status,
  Summary,
  TestDelivery,
} from '@disputedesk/contract';
// Shared with the backend, which verifies what this signs (relative: it is bundled, not a package).
import { requestBinding, type RequestBinding } from '../../../server/src/app-api/request-binding';
import { fetchStripeSignature } from '@stripe/ui-extension-sdk/utils';

/** What the overview and the Respond view read of the figures (server/src/analytics/). */
interface Money {
  count: number;
  amount: number;
}
export interface Outcomes {
  partial: boolean;
  currencies: Array<{
    currency: string;
    disputed: Money;
    won: Money;
    lost: Money;
    ledger: {
      withdrawn: number;
      reinstated: number;
      disputeFees: number;
      otherFees: number;
      netRecovered: number;
    };
  }>;
  winRates: {
    reason: Array<{ key: string; won: number; lost: number; rate: number | null }>;
  };
}
export interface NetworkRatio {
  key: string;
  network: string;
  program: string;
  unit: 'count' | 'amount';
  currency: string | null;
  month: string;
  numerator: number;
  denominator: number;
  ratio: number | null;
  projected: { ratio: number | null } | null;
  threshold: number;
  minimumCount: number | null;
  level: 'ok' | 'warning' | 'over';
}
export interface Recommendation {
  recommendation: 'fight' | 'accept';
  winProbability: number;
  expectedValue: { fight: number; accept: number; currency: string };
  inputs: {
    reason: string;
    cardBrand: string | null;
    amount: number;
    tenantHistory: { won: number; lost: number };
    allTenants: { won: number; lost: number; rate: number };
    evidence: { completeness: number; missingRequired: string[]; factor: number };
    counterFee: number;
  };
  explanation: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  userId: string;
  accountId: string;
  mode: 'test' | 'live';
  /** Defaults to the SDK's fetchStripeSignature with the request binding as additional payload. */
  sign?: (binding: RequestBinding) => Promise<string>;
  fetchImpl?: typeof fetch;
}

type Query = Record<string, string | undefined>;

export function createApiClient(opts: ApiClientOptions) {
  const sign = opts.sign ?? ((binding: RequestBinding) => fetchStripeSignature({ ...binding }));
  const fetchImpl = opts.fetchImpl ?? ((input, init) => fetch(input, init));
  const identity = { user_id: opts.userId, account_id: opts.accountId, mode: opts.mode };
  const base = opts.baseUrl.replace(/\/$/, '');

  async function request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    input: { query?: Query; body?: Record<string, unknown> } = {},
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...input.query, ...(method === 'GET' ? identity : {}) }))
      if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    const target = `${path}${qs ? `?${qs}` : ''}`;
    const body = method === 'GET' ? '' : JSON.stringify({ ...identity, ...input.body });
    let res: Response;
    try {
      const signature = await sign(await requestBinding(method, target, opts.mode, body));
      res = await fetchImpl(`${base}${target}`, {
        method,
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
        ...(method === 'GET' ? {} : { body }),
      });
    } catch (err) {
      throw new ApiError(0, 'network_error', `DisputeDesk could not be reached (${String(err)}).`);
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const error = (json as ApiErrorBody | null)?.error;
      throw new ApiError(
        res.status,
        error?.code ?? 'http_error',
        error?.message ?? `DisputeDesk answered ${res.status}.`,
        error?.details,
      );
    }
    return json as T;
  }

  const ev = (id: string, suffix = '') =>
    `/app/v1/disputes/${encodeURIComponent(id)}/evidence${suffix}`;
  const dest = (id: string, suffix = '') =>
    `/app/v1/notification-destinations/${encodeURIComponent(id)}${suffix}`;

  return {
    status: () => request<Status>('GET', '/app/v1/status'),
    summary: () => request<Summary>('GET', '/app/v1/summary'),
    disputes: (query: Query = {}) => request<DisputeList>('GET', '/app/v1/disputes', { query }),
    dispute: (id: string) =>
      request<DisputeDetail>('GET', `/app/v1/disputes/${encodeURIComponent(id)}`),
    paymentDisputes: (paymentId: string) =>
      request<PaymentDisputes>('GET', `/app/v1/payments/${encodeURIComponent(paymentId)}/disputes`),
    destinations: () =>
      request<{ data: Destination[] }>('GET', '/app/v1/notification-destinations'),
    createDestination: (url: string) =>
      request<CreatedDestination>('POST', '/app/v1/notification-destinations', { body: { url } }),
    setDestinationEnabled: (id: string, enabled: boolean) =>
      request<Destination>('POST', dest(id), { body: { enabled } }),
    rotateDestinationSecret: (id: string) =>
      request<RotatedSecret>('POST', dest(id, '/rotate-secret')),
    testDestination: (id: string) => request<TestDelivery>('POST', dest(id, '/test')),
    deleteDestination: (id: string) => request<{ deleted: true }>('DELETE', dest(id)),
    evidence: (id: string) => request<EvidenceDraft>('GET', ev(id)),
    editEvidence: (id: string, version: number, fields: Record<string, string | null>) =>
      request<EvidenceDraft>('POST', ev(id), { body: { version, fields } }),
    saveEvidence: (id: string, version: number) =>
      request<EvidenceDraft>('POST', ev(id, '/save'), { body: { version } }),
    submitEvidence: (
      id: string,
      input: {
        version: number;
        confirm: string;
        feeAcknowledged?: boolean;
        allowIncomplete?: boolean;
      },
    ) => request<EvidenceDraft>('POST', ev(id, '/submit'), { body: input }),
    attachFile: (id: string, input: { version: number; field: string; fileId: string }) =>
      request<EvidenceDraft>('POST', ev(id, '/files'), { body: input }),
    generateDocument: (
      id: string,
      input: { version: number; kind: 'receipt' | 'payment_history' },
    ) => request<EvidenceDraft>('POST', ev(id, '/documents'), { body: input }),
    acceptDispute: (id: string, confirm: string) =>
      request<{ disputeId: string; status: string }>(
        'POST',
        `/app/v1/disputes/${encodeURIComponent(id)}/accept`,
        { body: { confirm } },
      ),
    outcomes: () => request<Outcomes>('GET', '/app/v1/analytics/outcomes'),
    ratios: () =>
      request<{ data: NetworkRatio[]; partial: boolean }>('GET', '/app/v1/analytics/ratios'),
    recommendation: (id: string) =>
      request<Recommendation>('GET', `/app/v1/disputes/${encodeURIComponent(id)}/recommendation`),
    evidenceSettings: () => request<EvidenceSettings>('GET', '/app/v1/settings/evidence'),
    setEvidenceSettings: (input: Partial<Omit<EvidenceSettings, 'updatedBy'>>) =>
      request<EvidenceSettings>('POST', '/app/v1/settings/evidence', { body: input }),
    disconnect: (confirm: string) =>
      request<{ status: 'disconnected'; revocation: { done: boolean; detail: string } }>(
        'POST',
        '/app/v1/connection/disconnect',
        { body: { confirm } },
      ),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
