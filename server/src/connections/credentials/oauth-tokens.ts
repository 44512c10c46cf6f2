// OAuth tenants' tokens, encrypted at rest. The access token (one hour) is refreshed five
// minutes before it expires; refreshes of one tenant are serialized by a Postgres advisory lock
// held across the call to Stripe, and the rotated refresh token is stored in the same
// transaction as the new access token, so a rotated-out refresh token is never used again —
// across API and worker processes alike. An invalid grant disconnects the tenant with the reason.
import type { Keyring } from '../../crypto/keyring.ts';
import { secretHint } from '../../crypto/keyring.ts';
import { AppError } from '../../errors.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { PrismaClient } from '../../db.ts';
import type { Logger } from '../../logger.ts';
import { OAuthGrantError, requestTokens, type OAuthTokens } from './stripe-oauth.ts';
import type { StripeSettings } from './stripe-client.ts';

export const ACCESS_TOKEN = 'oauth_access_token';
export const REFRESH_TOKEN = 'oauth_refresh_token';
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

type Tx = Prisma.TransactionClient;
const aad = (tenantId: string, kind: string) => `${tenantId}:${kind}`;

export interface TokenDeps {
  prisma: PrismaClient;
  keyring: Keyring;
  stripe: StripeSettings;
  logger: Logger;
}

/** Replaces the tenant's tokens with these (inside the caller's transaction). */
export async function storeTokens(
  tx: Tx,
  keyring: Keyring,
  tenantId: string,
  tokens: Pick<OAuthTokens, 'accessToken' | 'refreshToken' | 'expiresAt'>,
) {
  await tx.credential.deleteMany({
    where: { tenantId, kind: { in: [ACCESS_TOKEN, REFRESH_TOKEN] } },
  });
  for (const [kind, secret, validUntil] of [
    [ACCESS_TOKEN, tokens.accessToken, tokens.expiresAt],
    [REFRESH_TOKEN, tokens.refreshToken, null],
  ] as const) {
    const sealed = keyring.seal(secret, aad(tenantId, kind));
    await tx.credential.create({
      data: {
        tenantId,
        kind,
        ciphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        hint: secretHint(secret),
        validUntil,
      },
    });
  }
  await tx.tenant.update({
    where: { id: tenantId },
    data: { accessTokenExpiresAt: tokens.expiresAt },
  });
}

async function readToken(tx: Tx | PrismaClient, keyring: Keyring, tenantId: string, kind: string) {
  const row = await tx.credential.findFirst({
    where: { tenantId, kind },
    orderBy: { createdAt: 'desc' },
  });
  return row
    ? { secret: keyring.open(row.ciphertext, aad(tenantId, kind)), validUntil: row.validUntil }
    : null;
}

const fresh = (validUntil: Date | null, now = Date.now()) =>
  validUntil !== null && validUntil.getTime() - REFRESH_MARGIN_MS > now;

/** A usable access token for an OAuth tenant, refreshing it first when it is close to expiry. */
export async function accessToken(deps: TokenDeps, tenantId: string): Promise<string> {
  const current = await readToken(deps.prisma, deps.keyring, tenantId, ACCESS_TOKEN);
  if (current && fresh(current.validUntil)) return current.secret;
  return refreshAccessToken(deps, tenantId);
}

/** Refreshes under the tenant's lock; a concurrent caller that waited gets the new token. */
export async function refreshAccessToken(
  deps: TokenDeps,
  tenantId: string,
  opts: { force?: boolean } = {},
): Promise<string> {
  let revoked: OAuthGrantError | null = null;
  const token = await deps.prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`oauth-refresh:${tenantId}`}, 0))`;
      const tenant = await tx.tenant.findUnique({ where: { id: tenantId } });
      if (!tenant || tenant.connectionType !== 'oauth') {
        throw new AppError('not_found', `Tenant ${tenantId} has no OAuth connection.`);
      }
      if (tenant.status === 'disconnected' || tenant.status === 'purged') {
        throw new AppError(
          'forbidden',
          `Tenant ${tenantId} is ${tenant.status}: ${tenant.statusReason ?? 'no reason recorded'}.`,
        );
      }
      const current = await readToken(tx, deps.keyring, tenantId, ACCESS_TOKEN);
      if (!opts.force && current && fresh(current.validUntil)) return current.secret;
      const refresh = await readToken(tx, deps.keyring, tenantId, REFRESH_TOKEN);
      if (!refresh) throw new AppError('forbidden', `Tenant ${tenantId} has no refresh token.`);
      try {
        const tokens = await requestTokens(
          deps.stripe,
          tenant.livemode,
          { grant_type: 'refresh_token', refresh_token: refresh.secret },
          tenant.sandbox,
        );
        await storeTokens(tx, deps.keyring, tenantId, tokens);
        deps.logger.info({ tenantId, expiresAt: tokens.expiresAt }, 'oauth access token refreshed');
        return tokens.accessToken;
      } catch (err) {
        if (!(err instanceof OAuthGrantError)) throw err;
        // Final: the merchant revoked access, or the grant is otherwise dead.
        revoked = err;
        await tx.credential.deleteMany({
          where: { tenantId, kind: { in: [ACCESS_TOKEN, REFRESH_TOKEN] } },
        });
        await tx.tenant.update({
          where: { id: tenantId },
          data: {
            status: 'disconnected',
            statusReason: `oauth_${err.grantError}: ${err.message}`,
            disconnectedAt: new Date(),
            accessTokenExpiresAt: null,
          },
        });
        return null;
      }
    },
    {
      timeout: deps.stripe.timeoutMs * (deps.stripe.maxNetworkRetries + 1) + 5000,
      maxWait: 30_000,
    },
  );
  if (token === null) {
    deps.logger.warn(
      { tenantId, reason: revoked!.grantError },
      'oauth grant revoked: tenant disconnected',
    );
    throw new AppError(
      'forbidden',
      `The Stripe connection of tenant ${tenantId} was revoked (${revoked!.grantError}); the merchant must install the app again.`,
      { reason: revoked!.grantError },
    );
  }
  return token;
}
