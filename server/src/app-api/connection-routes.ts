// The app's connection routes: status for the overview and drawer, backfill progress, and
// disconnecting (the merchant confirms with their account id). Connecting with a restricted key
// is not the app's business: the backend's page /connect/api-key and the admin API do it.
import type { Router } from 'express';
import { backfillProgress } from '../backfill/progress.ts';
import { connectionState, connectionStatus } from '../connections/connection-status.ts';
import { disconnectTenant } from '../connections/lifecycle/disconnect-tenant.ts';
import { AppError } from '../errors.ts';
import { parse } from '../http/parse.ts';
import { DisconnectBody } from './contract.ts';
import type { AppApiDeps } from './deps.ts';
import { appCaller, connectedTenant } from './verify-app-request.ts';
import { readPool } from '../http/read-source.ts';

export function connectionRoutes(router: Router, deps: AppApiDeps) {
  router.get('/app/v1/status', async (_req, res) => {
    res.json(await connectionStatus(deps, appCaller(res)));
  });

  router.get('/app/v1/connection', async (_req, res) => {
    res.json(await connectionState(deps, appCaller(res)));
  });

  router.get('/app/v1/backfill', async (_req, res) => {
    res.json(await backfillProgress(await readPool(res, deps.pool), connectedTenant(res).id));
  });

  router.post('/app/v1/connection/disconnect', async (req, res) => {
    const body = parse(DisconnectBody, req.body, 'body');
    const caller = appCaller(res);
    if (body.confirm !== caller.accountId) {
      throw new AppError('bad_request', `Type the account id (${caller.accountId}) to confirm.`, {
        reason: 'confirmation_mismatch',
      });
    }
    const tenant = connectedTenant(res);
    res.json(await disconnectTenant(deps, tenant.id, `by ${caller.userId} from the app`));
  });
}
