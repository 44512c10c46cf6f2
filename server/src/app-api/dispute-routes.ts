// The app's dispute reads: the list with filters and cursor, one dispute, one payment's disputes
// (the dispute panel), and the overview's summary. All scoped to the verified caller's tenant.
import type { Router } from 'express';
import { disputeSummary } from '../disputes/dispute-summary.ts';
import { getDispute } from '../disputes/get-dispute.ts';
import { listDisputes } from '../disputes/list-disputes.ts';
import { paymentDisputes } from '../disputes/payment-disputes.ts';
import { parse } from '../http/parse.ts';
import { DisputeId, DisputeListQuery, PaymentId } from './contract.ts';
import type { AppApiDeps } from './deps.ts';
import { connectedTenant } from './verify-app-request.ts';
import { readPool } from '../http/read-source.ts';

export function disputeRoutes(router: Router, deps: AppApiDeps) {
  router.get('/app/v1/disputes', async (req, res) => {
    const tenant = connectedTenant(res);
    res.json(
      await listDisputes(
        await readPool(res, deps.pool),
        tenant.id,
        parse(DisputeListQuery, req.query, 'query'),
      ),
    );
  });

  router.get('/app/v1/disputes/:disputeId', async (req, res) => {
    const tenant = connectedTenant(res);
    const id = parse(DisputeId, req.params.disputeId, 'dispute id');
    res.json(await getDispute(await readPool(res, deps.pool), tenant.id, id));
  });

  router.get('/app/v1/payments/:paymentId/disputes', async (req, res) => {
    const tenant = connectedTenant(res);
    const id = parse(PaymentId, req.params.paymentId, 'payment id');
    res.json(await paymentDisputes(await readPool(res, deps.pool), tenant.id, id));
  });

  router.get('/app/v1/summary', async (_req, res) => {
    res.json(await disputeSummary(await readPool(res, deps.pool), connectedTenant(res).id));
  });
}
