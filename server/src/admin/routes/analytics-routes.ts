// Support's view of a tenant's figures and rules: outcomes and money, network ratios, the
// early-fraud-warning refund rule and its results (viewer reads, operator changes), and running
// reconciliation now for one tenant (operator). Audited by the registry like every admin call.
import { z } from 'zod';
import { exportDisputesCsv } from '../../analytics/export-disputes.ts';
import { historyImported } from '../../analytics/history-imported.ts';
import { networkRatios } from '../../analytics/network-ratios.ts';
import { disputeOutcomes } from '../../analytics/outcomes.ts';
import { PeriodQuery, PreventionBody } from '../../app-api/contract.ts';
import { AppError } from '../../errors.ts';
import { parse } from '../../http/parse.ts';
import { preventionResults } from '../../prevention/prevention-results.ts';
import { getPreventionRule, setPreventionRule } from '../../prevention/prevention-rule.ts';
import { Accepted, Anything, TenantParams } from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { route } from './route-registry.ts';

const tag = 'Disputes';

export const analyticsRoutes = (deps: AdminDeps) => [
  route({
    method: 'get',
    path: '/admin/v1/tenants/:tenantId/analytics/ratios',
    role: 'viewer',
    tag,
    summary:
      'Visa VAMP, Mastercard ECM and EFM (per currency) ratios for the last three months, the current one projected',
    params: TenantParams,
    response: Anything,
    handle: async ({ params }) => ({
      data: await networkRatios(deps.pool, params.tenantId),
      partial: !(await historyImported(deps.pool, params.tenantId)),
    }),
  }),
  route({
    method: 'get',
    path: '/admin/v1/tenants/:tenantId/prevention',
    role: 'viewer',
    tag,
    summary: 'The tenant’s early-fraud-warning refund rule and what it did',
    params: TenantParams,
    response: Anything,
    handle: async ({ params }) => ({
      rule: await getPreventionRule(deps.pool, params.tenantId),
      results: await preventionResults(deps.pool, params.tenantId),
    }),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/prevention',
    role: 'operator',
    tag,
    summary: 'Change the tenant’s early-fraud-warning refund rule (off by default; dry run first)',
    params: TenantParams,
    body: PreventionBody,
    response: Anything,
    handle: ({ params, body, actor }) =>
      setPreventionRule(deps.pool, params.tenantId, body, `support (${actor.name})`),
  }),
  route({
    method: 'get',
    path: '/admin/v1/tenants/:tenantId/analytics/outcomes',
    role: 'viewer',
    tag,
    summary:
      'Outcomes per currency of the disputes opened in a period of whole UTC days (default 90), with win rates, and the dispute money booked in it; partial until the history import finished',
    params: TenantParams,
    query: z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }),
    response: Anything,
    handle: ({ params, query }) =>
      disputeOutcomes(deps.pool, params.tenantId, parse(PeriodQuery, query, 'query')),
  }),
  route({
    method: 'get',
    path: '/admin/v1/tenants/:tenantId/exports/disputes.csv',
    role: 'viewer',
    tag,
    summary:
      'The disputes opened in a period (default 90 days) as CSV: normalized fields and outcomes, formula cells neutralized',
    params: TenantParams,
    query: z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }),
    response: z.string(),
    csv: { filename: 'disputes.csv' },
    handle: ({ params, query }) =>
      exportDisputesCsv(deps.pool, params.tenantId, parse(PeriodQuery, query, 'query')),
  }),
  route({
    method: 'post',
    path: '/admin/v1/tenants/:tenantId/disputes/reconcile',
    role: 'operator',
    tag,
    summary:
      'Compare the tenant’s open disputes with Stripe now and repair any whose closing event was missed (queued)',
    params: TenantParams,
    response: Accepted,
    status: 202,
    handle: async ({ params }) => {
      const known = await deps.pool.query('SELECT 1 FROM tenants WHERE id = $1', [params.tenantId]);
      if (!known.rowCount) throw new AppError('not_found', `No tenant ${params.tenantId}.`);
      await deps.queues.maintenance.add(
        'reconcile',
        { task: 'reconcile', tenantId: params.tenantId },
        { jobId: `reconcile-${params.tenantId}-${Date.now()}` },
      );
      return { tenantId: params.tenantId, queued: true as const };
    },
  }),
];
