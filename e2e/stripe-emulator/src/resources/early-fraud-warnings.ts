// Radar early fraud warnings (made by pm_card_createIssuerFraudRecord): retrieve and list.
import { str } from '../context.ts';
import { missing } from '../errors.ts';
import { list } from '../list.ts';
import type { Route } from '../router.ts';

export const earlyFraudWarningRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/radar/early_fraud_warnings/:id',
    handle: (ctx, { id }) => {
      const w = ctx.state.get(ctx.account, 'early_fraud_warning', id!);
      if (!w) throw missing('radar.early_fraud_warning', id!);
      return w;
    },
  },
  {
    method: 'GET',
    path: '/v1/radar/early_fraud_warnings',
    handle: (ctx) => {
      const charge = str(ctx.params.charge, 'charge');
      const pi = str(ctx.params.payment_intent, 'payment_intent');
      return list(ctx.state, ctx.account, 'early_fraud_warning', ctx.params, {
        url: '/v1/radar/early_fraud_warnings',
        kind: 'radar.early_fraud_warning',
        where: (w) => (!charge || w.charge === charge) && (!pi || w.payment_intent === pi),
      });
    },
  },
];
