import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import type { Account } from '../state.ts';
import type { Route } from '../router.ts';
import { str, type RequestContext } from '../context.ts';

function accountObject(account: Account, ctx: RequestContext, type = 'standard') {
  return {
    id: account.id,
    object: 'account',
    business_profile: { name: null, url: null },
    charges_enabled: true,
    country: 'US',
    created: 0,
    default_currency: 'usd',
    details_submitted: true,
    email: null,
    metadata: {},
    payouts_enabled: true,
    settings: { dashboard: { display_name: account.id, timezone: 'Etc/UTC' } },
    type,
    livemode: ctx.livemode,
  };
}

export const accountRoutes: Route[] = [
  { method: 'GET', path: '/v1/account', handle: (ctx) => accountObject(ctx.account, ctx) },
  {
    method: 'POST',
    path: '/v1/accounts',
    handle: (ctx) => {
      if (ctx.connected || ctx.account.platform) {
        throw invalidParam(
          'type',
          'Only a platform can create connected accounts.',
          'account_invalid',
        );
      }
      const type = str(ctx.params.type, 'type') ?? 'standard';
      const created = ctx.state.createAccount(ctx.account.id);
      ctx.state.insert(ctx.account, 'connected_account', {
        id: created.id,
        object: 'account',
        created: Math.floor(Date.now() / 1000),
        livemode: ctx.livemode,
        type,
      });
      return accountObject(created, ctx, type);
    },
  },
  {
    method: 'GET',
    path: '/v1/accounts/:id',
    handle: (ctx, { id }) => {
      const account = ctx.state.accounts.get(id!);
      if (!account || (account.platform !== ctx.account.id && account.id !== ctx.account.id))
        throw missing('account', id!);
      return accountObject(account, ctx);
    },
  },
  {
    method: 'GET',
    path: '/v1/accounts',
    handle: (ctx) =>
      list(ctx.state, ctx.account, 'connected_account', ctx.params, {
        url: '/v1/accounts',
        kind: 'account',
      }),
  },
];
