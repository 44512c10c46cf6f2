// The Stripe App's backend routes. Every one is signed (verify-app-request.ts); CORS lets the
// extension's `null` origin in, on these routes only.
import express from 'express';
import { z } from 'zod';
import { backfillProgress } from '../backfill/progress.ts';
import { connectWithApiKey } from '../connections/connect-api-key.ts';
import type { ConnectionDeps } from '../connections/install-deps.ts';
import { AppError } from '../errors.ts';
import { appCaller, appCors, verifyAppRequest } from './verify-app-request.ts';

const ApiKeyBody = z.object({
  apiKey: z.string().min(1).max(300),
  webhookSecret: z.string().max(300).optional(),
});

export function appRouter(deps: ConnectionDeps) {
  const router = express.Router();
  router.use('/app', appCors, express.json({ limit: '64kb' }));
  router.use(
    '/app',
    verifyAppRequest({
      prisma: deps.prisma,
      secrets: deps.app.signingSecrets,
      toleranceSeconds: deps.app.toleranceSeconds,
    }),
  );

  router.get('/app/v1/connection', async (_req, res) => {
    const caller = appCaller(res);
    if (!caller.tenant) {
      return res.json({
        accountId: caller.accountId,
        livemode: caller.livemode,
        status: 'not_connected',
      });
    }
    const t = await deps.prisma.tenant.findUniqueOrThrow({ where: { id: caller.tenant.id } });
    res.json({
      accountId: t.stripeAccountId,
      livemode: t.livemode,
      status: t.status,
      statusReason: t.statusReason,
      connectionType: t.connectionType,
      connectedAt: t.connectedAt,
      disconnectedAt: t.disconnectedAt,
    });
  });

  router.get('/app/v1/backfill', async (_req, res) => {
    const caller = appCaller(res);
    if (!caller.tenant)
      throw new AppError('not_found', 'This account is not connected to DisputeDesk.');
    res.json(await backfillProgress(deps.pool, caller.tenant.id));
  });

  router.post('/app/v1/connections/api-key', async (req, res) => {
    const body = ApiKeyBody.safeParse(req.body);
    if (!body.success) {
      throw new AppError('bad_request', 'Send apiKey (and optionally webhookSecret).', {
        issues: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    }
    const caller = appCaller(res);
    const result = await connectWithApiKey(deps, {
      apiKey: body.data.apiKey,
      webhookSecret: body.data.webhookSecret,
      expectedAccountId: caller.accountId,
      livemode: caller.livemode,
    });
    res.status(201).json(result);
  });

  return router;
}
