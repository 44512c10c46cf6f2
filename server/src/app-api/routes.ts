// The Stripe App's backend routes. Every one is signed (verify-app-request.ts); CORS lets the
// extension's `null` origin in, on these routes only. Routes parse with the contract's schemas,
// take the tenant from the verified caller only, and call one use case each.
import express from 'express';
import type { AppApiDeps } from './deps.ts';
import { storableInput } from '../http/storable.ts';
import { analyticsRoutes } from './analytics-routes.ts';
import { preventionRoutes } from './prevention-routes.ts';
import { connectionRoutes } from './connection-routes.ts';
import { disputeRoutes } from './dispute-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { settingsRoutes } from './settings-routes.ts';
import { appCaller, appCors, keepRawBody, verifyAppRequest } from './verify-app-request.ts';
import { routeReads } from '../http/read-source.ts';

export function appRouter(deps: AppApiDeps) {
  const router = express.Router();
  // Evidence file bytes (≤ 5 MB, any type: the use case checks the content) before the signature
  // check, which hashes exactly these bytes.
  router.use(
    '/app/v1/disputes/:disputeId/evidence/files/upload',
    express.raw({ type: () => true, limit: '5mb', verify: keepRawBody }),
  );
  router.use(
    '/app',
    appCors, // Evidence text may reach Stripe's 150,000 characters (up to 4 bytes each in UTF-8).
    express.json({ limit: '1mb', verify: keepRawBody }),
    storableInput,
  );
  router.use(
    '/app',
    verifyAppRequest({
      pool: deps.pool,
      secrets: deps.app.signingSecrets,
      toleranceSeconds: deps.app.toleranceSeconds,
    }),
  );
  if (deps.reads)
    router.use(
      '/app',
      routeReads(deps.reads, (res) => {
        const tenantId = appCaller(res).tenant?.id;
        return tenantId ? [tenantId] : [];
      }),
    );
  connectionRoutes(router, deps);
  disputeRoutes(router, deps);
  analyticsRoutes(router, deps);
  preventionRoutes(router, deps);
  evidenceRoutes(router, deps);
  settingsRoutes(router, deps);
  return router;
}
