// Stripe's list semantics: newest first, `limit` 1–100 (default 10), `starting_after` /
// `ending_before` cursors, `created` as an integer or a range (gt, gte, lt, lte), `has_more`, `url`.
import { invalidInteger, invalidParam, missing } from './errors.ts';
import { str } from './context.ts';
import type { Account, EmulatorState, StoredObject } from './state.ts';

export interface ListParams {
  limit?: unknown;
  starting_after?: unknown;
  ending_before?: unknown;
  created?: unknown;
}

function integer(param: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'boolean' || value === '' || !Number.isInteger(n))
    throw invalidInteger(param, value);
  return n;
}

function createdFilter(created: unknown): (o: StoredObject) => boolean {
  if (created === undefined) return () => true;
  if (typeof created !== 'object' || created === null) {
    const at = integer('created', created);
    return (o) => o.created === at;
  }
  const range = created as Record<string, unknown>;
  const bounds = Object.entries(range).map(([op, v]) => {
    if (!['gt', 'gte', 'lt', 'lte'].includes(op))
      throw invalidParam(
        `created[${op}]`,
        `Received unknown parameter: created[${op}]`,
        'parameter_unknown',
      );
    return [op, integer(`created[${op}]`, v)] as const;
  });
  return (o) =>
    bounds.every(([op, v]) =>
      op === 'gt'
        ? o.created > v
        : op === 'gte'
          ? o.created >= v
          : op === 'lt'
            ? o.created < v
            : o.created <= v,
    );
}

export function list(
  state: EmulatorState,
  account: Account,
  resource: string,
  params: ListParams,
  opts: { url: string; kind: string; where?: (o: StoredObject) => boolean },
) {
  const limit = params.limit === undefined ? 10 : integer('limit', params.limit);
  if (limit < 1 || limit > 100) {
    throw invalidParam(
      'limit',
      'This value must be greater than or equal to 1 and less than or equal to 100.',
      'parameter_invalid_integer',
    );
  }
  const inRange = createdFilter(params.created);
  const matches = (o: StoredObject) => inRange(o) && (opts.where?.(o) ?? true);
  const order = account.order.get(resource) ?? [];
  const byId = account.objects.get(resource);
  const cursorAt = (param: 'starting_after' | 'ending_before') => {
    const cursor = str(params[param], param) ?? '';
    const at = state.position(account, resource, cursor);
    if (at === undefined) throw missing(opts.kind, cursor, param);
    return at;
  };
  const data: StoredObject[] = [];
  let hasMore = false;
  if (params.ending_before !== undefined) {
    // The `limit` objects just newer than the cursor, still listed newest first.
    for (let i = cursorAt('ending_before') + 1; i < order.length; i++) {
      const o = byId!.get(order[i]!)!;
      if (!matches(o)) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(o);
    }
    data.reverse();
  } else {
    const start =
      params.starting_after !== undefined ? cursorAt('starting_after') - 1 : order.length - 1;
    for (let i = start; i >= 0; i--) {
      const o = byId!.get(order[i]!)!;
      if (!matches(o)) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(o);
    }
  }
  return { object: 'list', data, has_more: hasMore, url: opts.url };
}
