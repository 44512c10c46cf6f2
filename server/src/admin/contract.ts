// Request and response schemas of /admin/v1: the routes parse with them and the OpenAPI document
// is generated from them (route-registry.ts); tests parse answers with them.
import { z } from 'zod';
import { DestinationSchema } from '../app-api/contract.ts';
import { REPORT_TYPES } from '../reports/report-types.ts';
import { ROLES } from './access/roles.ts';

const iso = z.iso.datetime({ offset: true });
/** A date filter Postgres can compare: ISO 8601 with an offset, years 1970–9999. */
const isoFilter = iso.refine((v) => {
  const t = Date.parse(v);
  return Number.isFinite(t) && t >= 0 && t < Date.UTC(10000, 0, 1);
}, 'must be a date between 1970 and 9999');
/** Row ids as cursors: positive integers Postgres's bigint and JavaScript both hold exactly. */
const idCursor = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

// --- path parameters ----------------------------------------------------------------------------
export const TenantParams = z.object({ tenantId: z.uuid() });
export const EventParams = z.object({ eventId: z.coerce.number().int().positive() });
export const TokenParams = z.object({ tokenId: z.uuid() });
export const DestinationParams = TenantParams.extend({ destinationId: z.uuid() });
export const NotificationParams = TenantParams.extend({
  notificationId: z.coerce.number().int().positive(),
});
export const ReportRunParams = TenantParams.extend({ reportRunId: z.uuid() });

// --- queries and bodies ---------------------------------------------------------------------------
const TENANT_STATUSES = ['pending', 'active', 'paused', 'disconnected', 'purged'] as const;
const EVENT_STATUSES = ['received', 'processed', 'ignored', 'deferred', 'failed'] as const;

export const TenantQuery = z.object({
  q: z.string().min(1).max(200).optional(),
  status: z.enum(TENANT_STATUSES).optional(),
  connection_type: z.enum(['oauth', 'platform', 'api_key', 'unknown']).optional(),
  limit: limit(100, 50),
  cursor: z.string().max(200).optional(),
});

export const EventFilterSchema = z.object({
  tenant_id: z.uuid().optional(),
  /** An exact type, or a prefix ending in `*` (`charge.dispute.*`). */
  type: z.string().min(1).max(255).optional(),
  status: z.enum(EVENT_STATUSES).optional(),
  from: isoFilter.optional(),
  to: isoFilter.optional(),
});
export const EventQuery = EventFilterSchema.extend({
  limit: limit(200, 50),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a cursor this API returned')
    .optional(),
});
export const ReplayBody = EventFilterSchema.extend({ dry_run: z.boolean().default(true) });

export const AuditQuery = z.object({
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  target: z.string().max(200).optional(),
  limit: limit(200, 50),
  cursor: idCursor.optional(),
});

export const NotificationQuery = z.object({
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
  limit: limit(100, 50),
  cursor: idCursor.optional(),
});

export const TokenBody = z.object({
  name: z.string().min(1).max(100),
  role: z.enum(ROLES),
  expires_in_days: z.number().int().min(1).max(365).default(90),
});
export const ReasonBody = z.object({ reason: z.string().min(1).max(500).default('by support') });
export const PurgeBody = z.object({
  /** The tenant id again, as confirmation. */
  confirm: z.uuid(),
});
export const ApiKeyBody = z.object({
  apiKey: z.string().min(1).max(300),
  webhookSecret: z.string().max(300).optional(),
});
export const RotateBody = z.object({ webhookSecret: z.string().max(300).optional() });
export const DestinationBody = z.object({ url: z.string().min(1).max(2000) });
export const EnabledBody = z.object({ enabled: z.boolean() });
export const NoBody = z.object({}).optional();

// --- answers --------------------------------------------------------------------------------------
const Json = z.record(z.string(), z.unknown());
export const Accepted = z.object({ tenantId: z.uuid(), queued: z.literal(true) });

export const TenantSummary = z.object({
  id: z.uuid(),
  accountId: z.string(),
  livemode: z.boolean(),
  status: z.enum(TENANT_STATUSES),
  connectionType: z.string(),
  displayName: z.string().nullable(),
  connectedAt: iso.nullable(),
  createdAt: iso,
});
export const TenantList = z.object({
  data: z.array(TenantSummary),
  next_cursor: z.string().nullable(),
});

export const BackfillProgressSchema = z.object({
  status: z.string(),
  runId: z.string().optional(),
  reason: z.string().optional(),
  error: z.string().nullable().optional(),
  percent: z.number().optional(),
  objects: z.number().optional(),
  resources: z.array(Json),
});

export const TenantHealth = z.object({
  tenant: TenantSummary.omit({ connectedAt: true, createdAt: true }).extend({
    statusReason: z.string().nullable(),
    webhookEndpointId: z.string().nullable(),
    connectedAt: iso.nullable(),
    disconnectedAt: iso.nullable(),
    createdAt: iso,
  }),
  events: z.object({
    last: z.object({ id: z.string(), type: z.string(), receivedAt: iso }).nullable(),
    byType24h: z.record(z.string(), z.number().int()),
    failed: z.number().int(),
    rejected24h: z.record(z.string(), z.number().int()),
    signatureFailures24h: z.number().int(),
  }),
  queueLag: z.object({ unprocessed: z.number().int(), oldestAgeSeconds: z.number().int() }),
  backfill: BackfillProgressSchema,
  reports: z.record(z.string(), z.number().int()),
});

export const TenantStateChange = z.object({ tenantId: z.uuid(), status: z.string() }).loose();

const EventSummary = z.object({
  id: z.string(),
  tenantId: z.uuid(),
  stripeEventId: z.string(),
  type: z.string(),
  status: z.enum(EVENT_STATUSES),
  source: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  stripeCreatedAt: iso,
  receivedAt: iso,
  processedAt: iso.nullable(),
});
export const EventList = z.object({
  data: z.array(EventSummary),
  next_cursor: z.string().nullable(),
});
export const EventDetail = EventSummary.extend({
  apiVersion: z.string().nullable(),
  payload: Json,
});
export const ReplayOne = z.object({ rawEventId: z.number().int(), previousStatus: z.string() });
export const ReplayMany = z.object({
  dryRun: z.boolean(),
  matched: z.number().int(),
  replayed: z.number().int(),
});

export const ReportRunList = z.object({
  data: z.array(
    z.object({
      id: z.uuid(),
      stripeRunId: z.string(),
      reportType: z.enum(REPORT_TYPES).or(z.string()),
      intervalStart: iso,
      intervalEnd: iso,
      status: z.string(),
      error: z.string().nullable(),
      rows: z.number().int().nullable(),
      updatedAt: iso,
    }),
  ),
});
export const ReportRerun = z.object({
  reportRunId: z.uuid(),
  action: z.enum(['created_at_stripe', 'reingest_queued']),
  stripeRunId: z.string().nullable(),
});

export const QueueCounts = z.object({
  queues: z.record(z.string(), z.record(z.string(), z.number().int())),
});

const TokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(ROLES),
  hint: z.string(),
  createdBy: z.string(),
  createdAt: iso,
  expiresAt: iso,
  revokedAt: iso.nullable(),
  lastUsedAt: iso.nullable(),
});
export const TokenCreated = TokenView.extend({
  /** Shown once: it is stored only as a hash. */
  token: z.string(),
});
export const TokenList = z.object({ data: z.array(TokenView) });
export const TokenRevoked = TokenView;

export const AuditList = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      at: iso,
      actorId: z.uuid().nullable(),
      actor: z.string(),
      role: z.string(),
      action: z.string(),
      target: z.string().nullable(),
      params: z.unknown(),
      /** Null while the action runs, or when its outcome could not be recorded. */
      status: z.number().int().nullable(),
      result: z.unknown(),
      ip: z.string().nullable(),
    }),
  ),
  next_cursor: z.string().nullable(),
});

export const DestinationList = z.object({ data: z.array(DestinationSchema) });
export const NotificationList = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      destinationId: z.uuid(),
      disputeId: z.string(),
      status: z.enum(['pending', 'delivered', 'dead']),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      payload: Json,
      createdAt: iso,
      deliveredAt: iso.nullable(),
    }),
  ),
  next_cursor: z.string().nullable(),
});
export const Redelivered = z.object({ id: z.string(), status: z.literal('pending') });
export const Anything = Json;

export const AuthFailureQuery = z.object({
  ip: z.string().max(100).optional(),
  limit: limit(200, 50),
  cursor: idCursor.optional(),
});
export const AuthFailureList = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      at: iso,
      ip: z.string().nullable(),
      reason: z.enum(['missing_token', 'unknown_token']),
      tokenHash: z.string().nullable(),
      method: z.string(),
      path: z.string(),
      userAgent: z.string().nullable(),
    }),
  ),
  next_cursor: z.string().nullable(),
});
