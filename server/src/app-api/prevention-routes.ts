// The merchant's early-fraud-warning rule (off by default; dry run first) and what it did.
import type { Router } from 'express';
import { parse } from '../http/parse.ts';
import { preventionResults } from '../prevention/prevention-results.ts';
import { getPreventionRule, setPreventionRule } from '../prevention/prevention-rule.ts';
import { PreventionBody } from './contract.ts';
import type { AppApiDeps } from './deps.ts';
import { appCaller, connectedTenant } from './verify-app-request.ts';
import { readPool } from '../http/read-source.ts';

export function preventionRoutes(router: Router, deps: AppApiDeps) {
  router.get('/app/v1/prevention', async (_req, res) => {
    const tenant = connectedTenant(res);
    const db = await readPool(res, deps.pool);
    res.json({
      rule: await getPreventionRule(db, tenant.id),
      results: await preventionResults(db, tenant.id),
    });
  });

  router.post('/app/v1/prevention', async (req, res) => {
    const body = parse(PreventionBody, req.body, 'body');
    res.json(
      await setPreventionRule(deps.pool, connectedTenant(res).id, body, appCaller(res).userId),
    );
  });
}
