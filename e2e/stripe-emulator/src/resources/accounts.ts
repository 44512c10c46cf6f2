import { invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import type { Account } from '../state.ts';
import type { Route } from '../router.ts';
import { emit, metadataParam, str, type RequestContext } from '../context.ts';
import { deauthorize } from '../oauth.ts';
import type { StoredObject } from '../state.ts';

/** What an update changed on the account (kept in its own store, merged into every read). */
function profileOf(ctx: RequestContext, account: Account): StoredObject {
  let profile = ctx.state.get(account, 'account_profile', account.id);
  if (!profile) {
    profile = ctx.state.insert(account, 'account_profile', {
      id: account.id,
      object: 'account_profile',
      created: 0,
    });
  }
  return profile;
}

function accountObject(account: Account, ctx: RequestContext, type = 'standard') {
  const {
    id: _id,
    object: _object,
    created: _created,
    ...changed
  } = ctx.state.get(account, 'account_profile', account.id) ?? { id: '', object: '', created: 0 };
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
    ...changed,
  };
}

/** A connected account of this platform (or the caller itself), 404 otherwise. */
function ownAccount(ctx: RequestContext, id: string) {
  const account = ctx.state.accounts.get(id);
  if (!account || (account.platform !== ctx.account.id && account.id !== ctx.account.id))
    throw missing('account', id);
  return account;
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
    handle: (ctx, { id }) => accountObject(ownAccount(ctx, id!), ctx),
  },
  {
    method: 'POST',
    path: '/v1/accounts/:id',
    handle: (ctx, { id }) => {
      const account = ownAccount(ctx, id!);
      const profile = profileOf(ctx, account);
      const before = accountObject(account, ctx) as Record<string, unknown>;
      const previous: Record<string, unknown> = {};
      for (const field of ['email', 'default_currency'] as const) {
        if (ctx.params[field] === undefined) continue;
        previous[field] = before[field];
        profile[field] = str(ctx.params[field], field);
      }
      const business = ctx.params.business_profile as Record<string, unknown> | undefined;
      if (business && typeof business === 'object') {
        previous.business_profile = before.business_profile;
        const current = before.business_profile as Record<string, unknown>;
        profile.business_profile = {
          ...current,
          ...Object.fromEntries(
            Object.entries(business).map(([k, v]) => [k, str(v, `business_profile[${k}]`)]),
          ),
        };
      }
      if (ctx.params.metadata !== undefined) {
        previous.metadata = before.metadata;
        profile.metadata = metadataParam(
          ctx.params.metadata,
          before.metadata as Record<string, string>,
        );
      }
      const after = accountObject(account, ctx) as unknown as StoredObject;
      // Stripe sends account.updated to the platform's Connect endpoints, from the account.
      if (Object.keys(previous).length > 0 && account.platform) {
        emit({ ...ctx, account, connected: true }, 'account.updated', after, previous);
      }
      return after;
    },
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/:id',
    handle: (ctx, { id }) => {
      const account = ownAccount(ctx, id!);
      if (account.platform !== ctx.account.id) {
        throw invalidParam(
          'account',
          'You can only delete accounts connected to your platform.',
          'account_invalid',
        );
      }
      deauthorize(ctx.state, account, ctx.livemode);
      ctx.state.remove(ctx.account, 'connected_account', account.id);
      return { id: account.id, object: 'account', deleted: true };
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
