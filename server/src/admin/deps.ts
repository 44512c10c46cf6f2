// What the admin routes need, built once in main.ts.
import type { AppApiDeps } from '../app-api/deps.ts';
import type { Queues } from '../queues.ts';
import type { Redis } from '../redis.ts';

export type AdminDeps = AppApiDeps & {
  queues: Queues;
  redis: Redis;
  redisPrefix: string;
  bootstrapTokens: readonly string[];
  rateLimits: { callsPerMinute: number; authFailuresPerMinute: number };
  /** The backend's connect page: attempts per client address per minute. */
  connectAttemptsPerMinute: number;
};
