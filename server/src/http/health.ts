// /healthz: the process is up. /readyz: it can do its work (Postgres and Redis answer); it also
// shows the read replica's state and lag, which do not decide readiness (reads fall back to the
// primary).
import express from 'express';
import type { Pool } from '../db.ts';
import type { Redis } from '../redis.ts';
import type { ReadRouting } from '../read-routing.ts';
import { within } from '../within.ts';

export async function checkReadiness(
  deps: { pool: Pool; redis: Redis; reads?: Pick<ReadRouting, 'status'> },
  timeoutMs = 2000,
) {
  const check = async (fn: () => Promise<unknown>) => {
    try {
      await within(fn(), timeoutMs);
      return { ok: true as const };
    } catch (err) {
      return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
    }
  };
  const [postgres, redis] = await Promise.all([
    check(() => deps.pool.query('SELECT 1')),
    check(() => deps.redis.ping()),
  ]);
  const replica = deps.reads?.status();
  return {
    ready: postgres.ok && redis.ok,
    checks: { postgres, redis },
    ...(replica?.configured
      ? {
          replica: {
            ok: replica.up,
            lagSeconds: replica.lagSeconds,
            lagBytes: replica.lagBytes,
            checkedAt: replica.checkedAt?.toISOString() ?? null,
            ...(replica.error ? { error: replica.error } : {}),
          },
        }
      : {}),
  };
}

export function healthRouter(deps: {
  pool: Pool;
  redis: Redis;
  reads?: Pick<ReadRouting, 'status'>;
  isShuttingDown: () => boolean;
}) {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown()) {
      res.status(503).json({ ready: false, reason: 'shutting_down' });
      return;
    }
    const result = await checkReadiness(deps);
    res.status(result.ready ? 200 : 503).json(result);
  });
  return router;
}
