// Per-tenant webhook signing secrets (restricted-key merchants' own endpoints), encrypted at
// rest. Rotation keeps the previous secret valid for an overlap window (24 h by default).
import type { Keyring } from '../../crypto/keyring.ts';
import { secretHint } from '../../crypto/keyring.ts';
import type { PrismaClient } from '../../db.ts';

export const WEBHOOK_SECRET_KIND = 'webhook_signing_secret';
const aad = (tenantId: string) => `${tenantId}:${WEBHOOK_SECRET_KIND}`;

export async function storeWebhookSecret(
  deps: { prisma: PrismaClient; keyring: Keyring },
  tenantId: string,
  secret: string,
  overlapMs = 24 * 3600 * 1000,
): Promise<{ hint: string }> {
  const sealed = deps.keyring.seal(secret, aad(tenantId));
  const now = Date.now();
  await deps.prisma.$transaction([
    deps.prisma.credential.updateMany({
      where: { tenantId, kind: WEBHOOK_SECRET_KIND, validUntil: null },
      data: { validUntil: new Date(now + overlapMs) },
    }),
    deps.prisma.credential.create({
      data: {
        tenantId,
        kind: WEBHOOK_SECRET_KIND,
        ciphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        hint: secretHint(secret),
      },
    }),
  ]);
  return { hint: secretHint(secret) };
}

/** The secrets that verify this tenant's deliveries now: the current one and any in overlap. */
export async function loadWebhookSecrets(
  deps: { prisma: PrismaClient; keyring: Keyring },
  tenantId: string,
): Promise<string[]> {
  const rows = await deps.prisma.credential.findMany({
    where: {
      tenantId,
      kind: WEBHOOK_SECRET_KIND,
      OR: [{ validUntil: null }, { validUntil: { gt: new Date() } }],
    },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map((r) => deps.keyring.open(r.ciphertext, aad(tenantId)));
}
