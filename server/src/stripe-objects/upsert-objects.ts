// One multi-row upsert per resource with the ordering guard in SQL: a row is replaced only by a
// snapshot that is newer — later Stripe timestamp, or the same second and further along the
// object's lifecycle, or (a true tie) the larger content hash. The comparison is a total order
// on snapshots, so applying the same snapshots in any order leaves the same rows. One statement
// may carry several tenants' rows (an events batch mixes tenants): each row names its tenant.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { joinJsonTexts, jsonTexts } from '../db.ts';
import { RESOURCES, type ResourceName, type ResourceSpec, type SqlType } from './resources.ts';
import { stripSecretsFromJson } from './strip-secrets.ts';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface Snapshot {
  object: { id: string; livemode?: boolean; created?: number } & object;
  /** When this state was true: the event's `created`, or the start of a backfill page fetch. */
  snapshotAt: Date;
}

/** A snapshot and the tenant whose row it is. */
export interface TenantSnapshot extends Snapshot {
  tenantId: string;
}

const COMMON: Array<[string, SqlType | 'jsonb']> = [
  ['stripe_id', 'text'],
  ['livemode', 'bool'],
  ['stripe_created_at', 'timestamptz'],
  ['raw', 'jsonb'],
  ['snapshot_at', 'timestamptz'],
  ['snapshot_tiebreak', 'text'],
];

const sqlCache = new Map<string, string>();

function buildSql(name: ResourceName, returning: readonly string[]): string {
  const spec = RESOURCES[name] as ResourceSpec<{ id: string }>;
  const cols: Array<[string, string]> = [...COMMON, ...Object.entries(spec.columns)];
  const names = cols.map(([c]) => c);
  const keep = new Set(spec.keepExisting ?? []);
  const updates = names
    .filter((c) => c !== 'stripe_id' && c !== 'stripe_created_at')
    .map((c) =>
      spec.onUpdate?.[c]
        ? `${c} = ${spec.onUpdate[c]}`
        : keep.has(c)
          ? `${c} = COALESCE(EXCLUDED.${c}, t.${c})`
          : `${c} = EXCLUDED.${c}`,
    );
  return `
    INSERT INTO ${spec.table} AS t (tenant_id, updated_at, ${names.join(', ')})
    SELECT u.tenant_id, now(), ${names.map((c) => `u.${c}`).join(', ')}
      FROM unnest($1::uuid[], ${cols.map(([c, type], i) => (c === 'raw' ? jsonTexts(`$${i + 2}`) : `$${i + 2}::${type}[]`)).join(', ')}) AS u(tenant_id, ${names.join(', ')})
    ON CONFLICT (tenant_id, stripe_id) DO UPDATE SET ${updates.join(', ')}, updated_at = now()
      WHERE (t.snapshot_at, t.snapshot_tiebreak) < (EXCLUDED.snapshot_at, EXCLUDED.snapshot_tiebreak)
    RETURNING ${['tenant_id', 'stripe_id', ...returning].join(', ')}`;
}

export function snapshotTiebreak(rank: number[], rawJson: string): string {
  const ranks = rank.map((n) => String(Math.max(0, Math.trunc(n))).padStart(15, '0')).join('.');
  return `${ranks}:${createHash('sha1').update(rawJson).digest('hex').slice(0, 16)}`;
}

interface Row {
  key: string;
  tenantId: string;
  id: string;
  snapshotAt: Date;
  tiebreak: string;
  raw: string;
  snapshot: Snapshot;
}

const newer = (a: Row, b: Row) =>
  a.snapshotAt.getTime() !== b.snapshotAt.getTime()
    ? a.snapshotAt.getTime() > b.snapshotAt.getTime()
    : a.tiebreak > b.tiebreak;

/**
 * Upserts snapshots of one resource for one tenant. Returns the Stripe ids whose row was inserted
 * or replaced (older snapshots are skipped and not returned).
 */
export async function upsertObjects(
  db: Queryable,
  name: ResourceName,
  tenantId: string,
  snapshots: readonly Snapshot[],
): Promise<string[]> {
  const rows = await upsertTenantObjects(db, name, withTenant(tenantId, snapshots), []);
  return rows.map((r) => r.stripe_id);
}

const withTenant = (tenantId: string, snapshots: readonly Snapshot[]): TenantSnapshot[] =>
  snapshots.map((s) => ({ ...s, tenantId }));

type Written<C extends string> = { tenant_id: string; stripe_id: string } & Record<C, unknown>;

/**
 * Upserts snapshots of one resource for any tenants in one statement, answering the given columns
 * of each row written (older snapshots are skipped and not returned).
 */
export async function upsertTenantObjects<C extends string>(
  db: Queryable,
  name: ResourceName,
  snapshots: readonly TenantSnapshot[],
  returning: readonly C[],
): Promise<Array<Written<C>>> {
  if (snapshots.length === 0) return [];
  const spec = RESOURCES[name] as ResourceSpec<{ id: string }>;
  // One row per tenant and id: Postgres refuses to update the same row twice in one statement.
  const byKey = new Map<string, Row>();
  for (const s of snapshots) {
    const raw = stripSecretsFromJson(JSON.stringify(s.object));
    const row = {
      key: `${s.tenantId}|${s.object.id}`,
      tenantId: s.tenantId,
      id: s.object.id,
      snapshotAt: s.snapshotAt,
      tiebreak: snapshotTiebreak(spec.rank(s.object), raw),
      raw,
      snapshot: s,
    };
    const seen = byKey.get(row.key);
    if (!seen || newer(row, seen)) byKey.set(row.key, row);
  }
  // A fixed order, so concurrent statements take the rows' locks in the same order.
  const rows = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const columnNames = Object.keys(spec.columns);
  const perRow = rows.map((r) => spec.values(r.snapshot.object, r.snapshotAt));
  const params: unknown[] = [
    rows.map((r) => r.tenantId),
    rows.map((r) => r.id),
    rows.map((r) => r.snapshot.object.livemode ?? false),
    rows.map((r) => new Date((r.snapshot.object.created ?? r.snapshotAt.getTime() / 1000) * 1000)),
    joinJsonTexts(rows.map((r) => r.raw.replaceAll('\\u0000', '\\uFFFD'))), // jsonb cannot hold NUL
    rows.map((r) => r.snapshotAt),
    rows.map((r) => r.tiebreak),
    ...columnNames.map((c) => perRow.map((v) => v[c] ?? null)),
  ];
  const key = [name, ...returning].join(':');
  let sql = sqlCache.get(key);
  if (!sql) sqlCache.set(key, (sql = buildSql(name, returning)));
  const res = await db.query<Written<C>>({ name: `upsert-${key}`, text: sql, values: params });
  return res.rows;
}
