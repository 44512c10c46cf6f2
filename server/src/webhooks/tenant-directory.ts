// Resolves which tenant a verified delivery belongs to, with small in-process caches so the
// ingestion hot path does not read Postgres per request.
// - Connect endpoint: the verified `event.account` (+ livemode). An account we have no tenant
//   for yet gets a `pending` tenant, so its events are kept until it connects.
// - Direct endpoint: the tenant id in the URL, with its valid signing secrets (decrypted).
import type { Keyring } from '../crypto/keyring.ts';
import type { Pool, PrismaClient } from '../db.ts';
import { loadWebhookSecrets } from '../connections/credentials/webhook-secrets.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ENTRIES = 100_000;

export interface DirectEndpoint {
  tenantId: string;
  livemode: boolean;
  secrets: string[];
  loadedAt: number;
}

class TtlCache<V> {
  private map = new Map<string, { value: V; at: number }>();
  constructor(private readonly ttlMs: number) {}
  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (Date.now() - hit.at > this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    return hit.value;
  }
  set(key: string, value: V) {
    if (this.map.size >= MAX_ENTRIES) this.map.clear();
    this.map.set(key, { value, at: Date.now() });
  }
  delete(key: string) {
    this.map.delete(key);
  }
}

export class TenantDirectory {
  private accounts = new TtlCache<string>(24 * 3600 * 1000); // account→tenant never changes
  private endpoints: TtlCache<DirectEndpoint | null>;

  constructor(
    private readonly deps: { pool: Pool; prisma: PrismaClient; keyring: Keyring },
    opts: { secretsTtlMs?: number } = {},
  ) {
    this.endpoints = new TtlCache(opts.secretsTtlMs ?? 30_000);
  }

  /** The tenant for a verified Connect event's account, created `pending` if new. */
  async tenantForAccount(stripeAccountId: string, livemode: boolean): Promise<string> {
    const key = `${stripeAccountId}|${livemode}`;
    const cached = this.accounts.get(key);
    if (cached) return cached;
    const { rows } = await this.deps.pool.query<{ id: string }>(
      `INSERT INTO tenants (id, stripe_account_id, livemode, status, connection_type, updated_at)
       VALUES (gen_random_uuid(), $1, $2, 'pending', 'unknown', now())
       ON CONFLICT (stripe_account_id, livemode) DO UPDATE SET stripe_account_id = EXCLUDED.stripe_account_id
       RETURNING id`,
      [stripeAccountId, livemode],
    );
    const id = rows[0]!.id;
    this.accounts.set(key, id);
    return id;
  }

  /** An existing tenant for an account, without creating one (to attribute rejections). */
  async findTenantForAccount(stripeAccountId: string, livemode: boolean): Promise<string | null> {
    const cached = this.accounts.get(`${stripeAccountId}|${livemode}`);
    if (cached) return cached;
    const { rows } = await this.deps.pool.query<{ id: string }>(
      'SELECT id FROM tenants WHERE stripe_account_id = $1 AND livemode = $2',
      [stripeAccountId, livemode],
    );
    return rows[0]?.id ?? null;
  }

  /** The direct endpoint of a tenant, or null when there is no such tenant. */
  async directEndpoint(
    unverifiedTenantId: string,
    opts: { fresh?: boolean } = {},
  ): Promise<DirectEndpoint | null> {
    if (!UUID.test(unverifiedTenantId)) return null;
    if (!opts.fresh) {
      const cached = this.endpoints.get(unverifiedTenantId);
      if (cached !== undefined) return cached;
    }
    const tenant = await this.deps.prisma.tenant.findUnique({
      where: { id: unverifiedTenantId },
      select: { id: true, livemode: true, status: true },
    });
    const endpoint =
      tenant && tenant.status !== 'purged'
        ? {
            tenantId: tenant.id,
            livemode: tenant.livemode,
            secrets: await loadWebhookSecrets(this.deps, tenant.id),
            loadedAt: Date.now(),
          }
        : null;
    this.endpoints.set(unverifiedTenantId, endpoint);
    return endpoint;
  }
}
