// One Stripe client factory for every tenant, with the right credential for its connection:
// OAuth → its access token (refreshed ahead of expiry), restricted key → the key, platform → the
// platform key of its mode plus Stripe-Account. Clients are cached until their credential could
// change (the token's refresh point, or a minute for the others).
import type Stripe from 'stripe';
import { AppError } from '../../errors.ts';
import { API_KEY } from './api-key-credential.ts';
import { accessToken, REFRESH_MARGIN_MS, type TokenDeps } from './oauth-tokens.ts';
import { platformKey, stripeClient } from './stripe-client.ts';

export class TenantClients {
  private cache = new Map<string, { stripe: Stripe; until: number }>();

  constructor(private readonly deps: TokenDeps) {}

  async forTenant(tenantId: string): Promise<Stripe> {
    const hit = this.cache.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.stripe;
    const tenant = await this.deps.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant) throw new AppError('not_found', `No tenant ${tenantId}.`);
    if (tenant.status === 'disconnected' || tenant.status === 'purged') {
      throw new AppError(
        'forbidden',
        `Tenant ${tenantId} is ${tenant.status}${tenant.statusReason ? `: ${tenant.statusReason}` : ''}.`,
      );
    }
    let stripe: Stripe;
    let until = Date.now() + 60_000;
    switch (tenant.connectionType) {
      case 'oauth': {
        stripe = stripeClient(this.deps.stripe, await accessToken(this.deps, tenantId));
        const expires = (await this.deps.prisma.tenant.findUnique({ where: { id: tenantId } }))
          ?.accessTokenExpiresAt;
        if (expires) until = Math.min(until, expires.getTime() - REFRESH_MARGIN_MS);
        break;
      }
      case 'api_key': {
        const row = await this.deps.prisma.credential.findFirst({
          where: { tenantId, kind: API_KEY },
          orderBy: { createdAt: 'desc' },
        });
        if (!row) throw new AppError('forbidden', `Tenant ${tenantId} has no API key.`);
        stripe = stripeClient(
          this.deps.stripe,
          this.deps.keyring.open(row.ciphertext, `${tenantId}:${API_KEY}`),
        );
        break;
      }
      case 'platform':
        stripe = stripeClient(
          this.deps.stripe,
          platformKey(this.deps.stripe, tenant.livemode, tenant.sandbox),
          {
            stripeAccount: tenant.stripeAccountId,
          },
        );
        break;
      default:
        throw new AppError('forbidden', `Tenant ${tenantId} has no connection yet.`);
    }
    this.cache.set(tenantId, { stripe, until });
    return stripe;
  }

  /** The raw credential (for downloads outside stripe-node, such as report files). */
  async credentials(tenantId: string): Promise<{ key: string; stripeAccount?: string }> {
    const tenant = await this.deps.prisma.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant) throw new AppError('not_found', `No tenant ${tenantId}.`);
    switch (tenant.connectionType) {
      case 'oauth':
        return { key: await accessToken(this.deps, tenantId) };
      case 'api_key': {
        const row = await this.deps.prisma.credential.findFirst({
          where: { tenantId, kind: API_KEY },
          orderBy: { createdAt: 'desc' },
        });
        if (!row) throw new AppError('forbidden', `Tenant ${tenantId} has no API key.`);
        return { key: this.deps.keyring.open(row.ciphertext, `${tenantId}:${API_KEY}`) };
      }
      case 'platform':
        return {
          key: platformKey(this.deps.stripe, tenant.livemode, tenant.sandbox),
          stripeAccount: tenant.stripeAccountId,
        };
      default:
        throw new AppError('forbidden', `Tenant ${tenantId} has no connection yet.`);
    }
  }

  forget(tenantId: string) {
    this.cache.delete(tenantId);
  }
}
