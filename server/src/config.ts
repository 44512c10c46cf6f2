// The only place that reads the environment. Parsed once at boot by the composition roots;
// everything else receives the typed Config. Tests build a Config with `loadConfig({...})`.
import { redisTarget } from './redis.ts';
import { z } from 'zod';

const csv = (schema: z.ZodString) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(schema));

/** The queues a worker process can consume; WORKER_QUEUES picks some (default: all). */
export const WORKER_QUEUES = [
  'events',
  'notifications',
  'backfill',
  'reports',
  'maintenance',
] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const keyring = z
  .string()
  .min(1)
  .transform((v, ctx) => {
    const keys = new Map<string, Buffer>();
    for (const entry of v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [id, b64] = entry.split(':');
      const key = b64 ? Buffer.from(b64, 'base64') : undefined;
      if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !key || key.length !== 32) {
        ctx.addIssue({
          code: 'custom',
          message: 'each entry must be <key id>:<32 bytes in base64> (openssl rand -base64 32)',
        });
        return z.NEVER;
      }
      keys.set(id, key);
    }
    return keys;
  });

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
    DATABASE_URL: z.url().refine((u) => /^postgres(ql)?:/.test(u), 'must be a postgresql:// URL'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    // A streaming replica of DATABASE_URL for the app's reads (read-routing.ts); unset: none.
    DATABASE_REPLICA_URL: z
      .url()
      .refine((u) => /^postgres(ql)?:/.test(u), 'must be a postgresql:// URL')
      .optional(),
    DATABASE_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).default(10000),
    REDIS_URL: z.url().refine((u) => /^rediss?:/.test(u), 'must be a redis:// URL'),
    // Braces allowed: on Redis Cluster a hash tag ({dd}) keeps each queue's keys in one slot.
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_{}-]+$/)
      .default('dd'),
    ENCRYPTION_KEYS: keyring,
    ENCRYPTION_PRIMARY_KEY_ID: z.string().min(1),
    STRIPE_CONNECT_WEBHOOK_SECRETS: csv(
      z.string().startsWith('whsec_', 'must start with whsec_'),
    ).default([]),
    WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    WEBHOOK_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    WEBHOOK_REJECTION_FLUSH_MS: z.coerce.number().int().min(50).default(5000),
    WORKER_QUEUES: csv(
      z.string().refine((v) => (WORKER_QUEUES as readonly string[]).includes(v), {
        message: `each must be one of ${WORKER_QUEUES.join(', ')}`,
      }),
    )
      .pipe(z.array(z.string()).min(1, 'names at least one queue'))
      .default([...WORKER_QUEUES]),
    // Unset: no metrics server in the worker. 0 picks a free port (tests).
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    EVENTS_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
    EVENTS_ENQUEUE_DELAY_MS: z.coerce.number().int().min(0).max(1000).default(40),
    EVENTS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
    EVENTS_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
    EVENTS_ASYNC_COMMIT: bool.default(true),
    SWEEPER_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
    SWEEPER_GRACE_MS: z.coerce.number().int().min(0).default(30000),
    // Stored events are kept this long (whole months are dropped once past it). Stripe lists 30
    // days of events, so a catch-up never brings back one already dropped.
    EVENTS_RETENTION_DAYS: z.coerce.number().int().min(35).max(3650).default(90),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
    STRIPE_API_BASE: z.url().default('https://api.stripe.com'),
    STRIPE_API_VERSION: z.string().min(1).default('2026-10-28.endive'),
    STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).default(20000),
    STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
    STRIPE_SECRET_KEY_TEST: z
      .string()
      .regex(/^sk_test_\w+$/, 'must be a test-mode secret key (sk_test_…)')
      .optional(),
    STRIPE_SECRET_KEY_LIVE: z
      .string()
      .regex(/^sk_live_\w+$/, 'must be a live-mode secret key (sk_live_…)')
      .optional(),
    STRIPE_SECRET_KEY_SANDBOX: z
      .string()
      .regex(/^sk_test_\w+$/, 'must be the managed sandbox’s secret key (sk_test_…)')
      .optional(),
    STRIPE_OAUTH_CLIENT_ID: z
      .string()
      .regex(/^ca_\w+$/, 'must start with ca_')
      .optional(),
    STRIPE_OAUTH_AUTHORIZE_URL: z
      .url()
      .default('https://marketplace.stripe.com/oauth/v2/authorize'),
    OAUTH_RETURN_URL: z.url().optional(),
    OAUTH_STATE_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
    STRIPE_APP_SIGNING_SECRETS: csv(z.string().min(8)).default([]),
    APP_SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    BACKFILL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    BACKFILL_TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    BACKFILL_PAGES_PER_JOB: z.coerce.number().int().min(1).max(1000).default(20),
    BACKFILL_HISTORY_MONTHS: z.coerce.number().int().min(1).max(240).default(24),
    STRIPE_RATE_LIMIT_TEST: z.coerce.number().min(0).default(24),
    STRIPE_RATE_LIMIT_LIVE: z.coerce.number().min(0).default(95),
    REPORTS_HISTORY_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
    REPORTS_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    NOTIFICATION_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
    NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(15),
    NOTIFICATION_BACKOFF_MS: z.coerce.number().int().min(10).default(5000),
    NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: bool.default(false),
    NOTIFICATION_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    ADMIN_API_TOKENS: csv(
      z.string().min(24, 'each admin token needs at least 24 characters'),
    ).default([]),
    ADMIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    ADMIN_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    TENANT_PURGE_AFTER_DAYS: z.coerce.number().min(0).default(30),
    MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(100).default(3600000),
    BACKFILL_REOFFER_AFTER_MS: z.coerce.number().int().min(1000).default(600000),
    DEADLINE_CHECK_INTERVAL_MS: z.coerce.number().int().min(1000).default(900000),
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(21600000),
    RECONCILE_STALE_AFTER_MS: z.coerce.number().int().min(0).default(86400000),
    AGGREGATES_COMPACT_INTERVAL_MS: z.coerce.number().int().min(100).default(10000),
    CONNECT_PAGE_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
    TRUST_PROXY: bool.default(false),
  })
  .superRefine((env, ctx) => {
    if (!env.ENCRYPTION_KEYS.has(env.ENCRYPTION_PRIMARY_KEY_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ENCRYPTION_PRIMARY_KEY_ID'],
        message: 'must name one of the key ids in ENCRYPTION_KEYS',
      });
    }
    if (redisTarget(env.REDIS_URL).cluster && !/\{[^{}]+\}/.test(env.QUEUE_PREFIX)) {
      ctx.addIssue({
        code: 'custom',
        path: ['QUEUE_PREFIX'],
        message:
          'must hold a hash tag such as {dd} when REDIS_URL names a cluster (a queue keeps its keys in one slot)',
      });
    }
  });

export type Env = z.input<typeof EnvSchema>;

/** Every variable the backend reads (documented one by one in .env.example). */
export const ENV_VARIABLES = Object.keys(EnvSchema.shape);
export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.output<typeof EnvSchema>) {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HOST,
      port: env.PORT,
      processes: env.API_PROCESSES,
      publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/$/, ''),
      trustProxy: env.TRUST_PROXY,
    },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      replicaUrl: env.DATABASE_REPLICA_URL ?? null,
      replicaMaxLagMs: env.DATABASE_REPLICA_MAX_LAG_MS,
    },
    redis: { url: env.REDIS_URL, prefix: env.QUEUE_PREFIX },
    encryption: { keys: env.ENCRYPTION_KEYS, primaryKeyId: env.ENCRYPTION_PRIMARY_KEY_ID },
    webhooks: {
      connectSecrets: env.STRIPE_CONNECT_WEBHOOK_SECRETS,
      toleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
      maxBodyBytes: env.WEBHOOK_MAX_BODY_BYTES,
      rejectionFlushMs: env.WEBHOOK_REJECTION_FLUSH_MS,
    },
    worker: {
      queues: new Set(env.WORKER_QUEUES as WorkerQueue[]),
      metricsPort: env.WORKER_METRICS_PORT ?? null,
    },
    events: {
      concurrency: env.EVENTS_WORKER_CONCURRENCY,
      enqueueDelayMs: env.EVENTS_ENQUEUE_DELAY_MS,
      maxAttempts: env.EVENTS_MAX_ATTEMPTS,
      backoffMs: env.EVENTS_BACKOFF_MS,
      asyncCommit: env.EVENTS_ASYNC_COMMIT,
      sweepIntervalMs: env.SWEEPER_INTERVAL_MS,
      sweepGraceMs: env.SWEEPER_GRACE_MS,
      retentionDays: env.EVENTS_RETENTION_DAYS,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    stripe: {
      apiBase: env.STRIPE_API_BASE.replace(/\/$/, ''),
      apiVersion: env.STRIPE_API_VERSION,
      timeoutMs: env.STRIPE_TIMEOUT_MS,
      maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES,
      secretKeys: {
        test: env.STRIPE_SECRET_KEY_TEST,
        live: env.STRIPE_SECRET_KEY_LIVE,
        sandbox: env.STRIPE_SECRET_KEY_SANDBOX,
      },
    },
    oauth: {
      clientId: env.STRIPE_OAUTH_CLIENT_ID,
      authorizeUrl: env.STRIPE_OAUTH_AUTHORIZE_URL,
      redirectUri: `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/oauth/callback`,
      returnUrl: env.OAUTH_RETURN_URL,
      stateTtlSeconds: env.OAUTH_STATE_TTL_SECONDS,
    },
    app: {
      signingSecrets: env.STRIPE_APP_SIGNING_SECRETS,
      toleranceSeconds: env.APP_SIGNATURE_TOLERANCE_SECONDS,
    },
    admin: {
      bootstrapTokens: env.ADMIN_API_TOKENS,
      rateLimits: {
        callsPerMinute: env.ADMIN_RATE_LIMIT_PER_MINUTE,
        authFailuresPerMinute: env.ADMIN_AUTH_FAILURES_PER_MINUTE,
      },
    },
    notifications: {
      timeoutMs: env.NOTIFICATION_TIMEOUT_MS,
      maxAttempts: env.NOTIFICATION_MAX_ATTEMPTS,
      backoffMs: env.NOTIFICATION_BACKOFF_MS,
      allowPrivateAddresses: env.NOTIFICATION_ALLOW_PRIVATE_ADDRESSES,
      concurrency: env.NOTIFICATION_CONCURRENCY,
    },
    reports: { historyMonths: env.REPORTS_HISTORY_MONTHS, concurrency: env.REPORTS_CONCURRENCY },
    backfill: {
      concurrency: env.BACKFILL_CONCURRENCY,
      tenantConcurrency: env.BACKFILL_TENANT_CONCURRENCY,
      pagesPerJob: env.BACKFILL_PAGES_PER_JOB,
      historyMonths: env.BACKFILL_HISTORY_MONTHS,
      /** Requests per second per account and mode (0: no client-side limit). */
      rateLimit: { test: env.STRIPE_RATE_LIMIT_TEST, live: env.STRIPE_RATE_LIMIT_LIVE },
    },
    tenants: {
      purgeAfterMs: env.TENANT_PURGE_AFTER_DAYS * 86400 * 1000,
      maintenanceIntervalMs: env.MAINTENANCE_INTERVAL_MS,
      reofferAfterMs: env.BACKFILL_REOFFER_AFTER_MS,
    },
    evidence: { deadlineCheckIntervalMs: env.DEADLINE_CHECK_INTERVAL_MS },
    analytics: { compactIntervalMs: env.AGGREGATES_COMPACT_INTERVAL_MS },
    connectPage: { attemptsPerMinute: env.CONNECT_PAGE_ATTEMPTS_PER_MINUTE },
    reconcile: {
      intervalMs: env.RECONCILE_INTERVAL_MS,
      staleAfterMs: env.RECONCILE_STALE_AFTER_MS,
    },
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming every missing or invalid variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join('.') || '(environment)';
        const missing = i.code === 'invalid_type' && !(String(i.path[0]) in present);
        return missing ? `${name} is required but not set` : `${name}: ${i.message}`;
      }),
    );
  }
  return toConfig(parsed.data);
}

/** For the entry points: print what is wrong with the environment and exit, without a stack. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${err.message}\nSee .env.example for every variable.`);
    process.exit(1);
  }
}
