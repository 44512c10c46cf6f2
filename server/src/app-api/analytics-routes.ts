// The merchant's figures: outcomes and money per currency with win rates (JSON), and a CSV of the
// period's disputes with their normalized fields and outcomes. The verified caller's tenant only.
import type { Router } from 'express';
import { exportDisputesCsv } from '../analytics/export-disputes.ts';
import { historyImported } from '../analytics/history-imported.ts';
import { networkRatios } from '../analytics/network-ratios.ts';
import { disputeOutcomes } from '../analytics/outcomes.ts';
import { recommend } from '../analytics/recommend.ts';
import { parse } from '../http/parse.ts';
import { DisputeId, PeriodQuery } from './contract.ts';
import type { AppApiDeps } from './deps.ts';
import { connectedTenant } from './verify-app-request.ts';
import { readPool } from '../http/read-source.ts';

export function analyticsRoutes(router: Router, deps: AppApiDeps) {
  router.get('/app/v1/analytics/outcomes', async (req, res) => {
    const period = parse(PeriodQuery, { from: req.query.from, to: req.query.to }, 'query');
    res.json(
      await disputeOutcomes(await readPool(res, deps.pool), connectedTenant(res).id, period),
    );
  });

  router.get('/app/v1/disputes/:disputeId/recommendation', async (req, res) => {
    const id = parse(DisputeId, req.params.disputeId, 'dispute id');
    res.json(await recommend(await readPool(res, deps.pool), connectedTenant(res).id, id));
  });

  router.get('/app/v1/analytics/ratios', async (_req, res) => {
    const tenantId = connectedTenant(res).id;
    const db = await readPool(res, deps.pool);
    const [data, imported] = await Promise.all([
      networkRatios(db, tenantId),
      historyImported(db, tenantId),
    ]);
    res.json({ data, partial: !imported });
  });

  router.get('/app/v1/exports/disputes.csv', async (req, res) => {
    const period = parse(PeriodQuery, { from: req.query.from, to: req.query.to }, 'query');
    const csv = await exportDisputesCsv(
      await readPool(res, deps.pool),
      connectedTenant(res).id,
      period,
    );
    res
      .type('text/csv; charset=utf-8')
      .set('content-disposition', 'attachment; filename="disputes.csv"')
      .set('cache-control', 'no-store')
      .send(csv);
  });
}
