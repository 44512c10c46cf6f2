// Receiving one webhook delivery: verify, parse, find the tenant, store durably. The answer is
// 2xx only once the event is committed; every refusal is logged and counted with its reason.
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { isHandledEventType } from '../events/dispatch-table.ts';
import { stripSecretsFromJson } from '../stripe-objects/strip-secrets.ts';
import { parseEnvelope, type EventEnvelope } from './event-envelope.ts';
import { storableJson } from './storable-json.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { RejectionCounter } from './rejection-counter.ts';
import type { TenantDirectory } from './tenant-directory.ts';
import { SIGNATURE_MESSAGES, verifySignature, type SignatureFailure } from './verify-signature.ts';

export interface WebhookDeps {
  directory: TenantDirectory;
  recorder: EventRecorder;
  rejections: RejectionCounter;
  logger: Logger;
  connectSecrets: readonly string[];
  toleranceSeconds: number;
  metrics?: Pick<Metrics, 'webhookAccepted'>;
}

export interface Delivery {
  body: Buffer;
  signature: string | undefined;
}

export interface Accepted {
  received: true;
  /** The acknowledged event (shown in Stripe's delivery log; load tests match answers by it). */
  id: string;
  duplicate: boolean;
  status: 'received' | 'ignored';
}

type Endpoint = 'connect' | 'direct';

function reject(
  deps: WebhookDeps,
  endpoint: Endpoint,
  tenantId: string | null,
  reason: string,
  message: string,
  code: 'invalid_signature' | 'invalid_payload' | 'not_found' = 'invalid_payload',
): never {
  deps.rejections.count({ tenantId, endpoint, reason });
  deps.logger.warn({ endpoint, tenantId, reason }, `webhook rejected: ${message}`);
  throw new AppError(code, message, { reason });
}

async function store(
  deps: WebhookDeps,
  tenantId: string,
  event: EventEnvelope,
  delivery: Delivery,
  endpoint: Endpoint,
): Promise<Accepted> {
  const status = isHandledEventType(event.type) ? 'received' : 'ignored';
  // Client secrets are never stored (strip-secrets.ts); the signature was checked on the bytes.
  const payload = storableJson(stripSecretsFromJson(delivery.body.toString('utf8')));
  if (payload === null) {
    return reject(
      deps,
      endpoint,
      tenantId,
      'unstorable_json',
      'The event holds a lone UTF-16 surrogate (\\uD800–\\uDFFF), which cannot be stored as JSON.',
    );
  }
  const result = await deps.recorder.record({
    tenantId,
    stripeEventId: event.id,
    type: event.type,
    apiVersion: event.api_version ?? null,
    livemode: event.livemode,
    createdSeconds: event.created,
    // With client secrets and NULs (storable-json.ts), the only changes made to a payload.
    payload,
    source: endpoint === 'connect' ? 'webhook_connect' : 'webhook_direct',
    status,
  });
  deps.metrics?.webhookAccepted.inc({
    endpoint,
    outcome: result.duplicate ? 'duplicate' : status,
  });
  return { received: true, id: event.id, duplicate: result.duplicate, status };
}

/** The platform's Connect endpoint: the tenant is the verified `event.account`. */
export async function receiveConnectWebhook(
  deps: WebhookDeps,
  delivery: Delivery,
): Promise<Accepted> {
  const verified = verifySignature({
    header: delivery.signature,
    body: delivery.body,
    secrets: deps.connectSecrets,
    toleranceSeconds: deps.toleranceSeconds,
  });
  if (!verified.ok) {
    // The account in an unverified body only attributes the failure; it authorizes nothing.
    const claimed = parseEnvelope(delivery.body);
    const tenantId =
      claimed.ok && claimed.event.account
        ? await deps.directory
            .findTenantForAccount(claimed.event.account, claimed.event.livemode)
            .catch(() => null)
        : null;
    return signatureRejected(deps, 'connect', tenantId, verified.reason);
  }
  const parsed = parseEnvelope(delivery.body);
  if (!parsed.ok) return reject(deps, 'connect', null, parsed.reason, parsed.message);
  const { event } = parsed;
  if (!event.account) {
    return reject(
      deps,
      'connect',
      null,
      'missing_account',
      'A Connect event must name its connected account (`account`).',
    );
  }
  const tenantId = await deps.directory.tenantForAccount(event.account, event.livemode);
  return store(deps, tenantId, event, delivery, 'connect');
}

/** A restricted-key merchant's own endpoint, verified with that tenant's secrets. */
export async function receiveDirectWebhook(
  deps: WebhookDeps,
  unverifiedTenantId: string,
  delivery: Delivery,
): Promise<Accepted> {
  let endpoint = await deps.directory.directEndpoint(unverifiedTenantId);
  if (!endpoint)
    return reject(
      deps,
      'direct',
      null,
      'unknown_tenant',
      'No webhook endpoint exists at this URL.',
      'not_found',
    );
  const check = (secrets: readonly string[]) =>
    verifySignature({
      header: delivery.signature,
      body: delivery.body,
      secrets,
      toleranceSeconds: deps.toleranceSeconds,
    });
  let verified = check(endpoint.secrets);
  if (
    !verified.ok &&
    verified.reason === 'signature_mismatch' &&
    Date.now() - endpoint.loadedAt > 1000
  ) {
    // The secret may have been rotated since we cached it: look once more before refusing.
    endpoint =
      (await deps.directory.directEndpoint(endpoint.tenantId, { fresh: true })) ?? endpoint;
    verified = check(endpoint.secrets);
  }
  if (!verified.ok) return signatureRejected(deps, 'direct', endpoint.tenantId, verified.reason);
  const parsed = parseEnvelope(delivery.body);
  if (!parsed.ok) return reject(deps, 'direct', endpoint.tenantId, parsed.reason, parsed.message);
  if (parsed.event.livemode !== endpoint.livemode) {
    return reject(
      deps,
      'direct',
      endpoint.tenantId,
      'livemode_mismatch',
      `This endpoint receives ${endpoint.livemode ? 'live' : 'test'}-mode events only.`,
    );
  }
  return store(deps, endpoint.tenantId, parsed.event, delivery, 'direct');
}

function signatureRejected(
  deps: WebhookDeps,
  endpoint: Endpoint,
  tenantId: string | null,
  reason: SignatureFailure,
): never {
  return reject(deps, endpoint, tenantId, reason, SIGNATURE_MESSAGES[reason], 'invalid_signature');
}

/** Oversized bodies are refused by the body parser before this module runs; count them too. */
export function countOversized(
  deps: Pick<WebhookDeps, 'rejections' | 'logger'>,
  endpoint: Endpoint,
  tenantId: string | null,
) {
  deps.rejections.count({ tenantId, endpoint, reason: 'payload_too_large' });
  deps.logger.warn(
    { endpoint, tenantId, reason: 'payload_too_large' },
    'webhook rejected: body too large',
  );
}
