// A tenant's notification destinations: created with a signing secret we generate (shown once,
// stored encrypted), listed without secrets, enabled or disabled, and rotated (the old secret
// keeps signing, as the secondary signature, for 24 h).
import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.ts';
import { secretHint } from '../crypto/keyring.ts';
import type { PrismaClient } from '../db.ts';
import { AppError } from '../errors.ts';
import { assertPublicDestination } from './address-guard.ts';

const OVERLAP_MS = 24 * 3600 * 1000;
export const secretKind = (destinationId: string) => `notification_secret:${destinationId}`;
const aad = (tenantId: string, destinationId: string) => `${tenantId}:${secretKind(destinationId)}`;

interface Deps {
  prisma: PrismaClient;
  keyring: Keyring;
  allowPrivateAddresses: boolean;
}

async function storeSecret(deps: Deps, tenantId: string, destinationId: string) {
  const secret = `ddwhsec_${randomBytes(24).toString('base64url')}`;
  const sealed = deps.keyring.seal(secret, aad(tenantId, destinationId));
  await deps.prisma.$transaction([
    deps.prisma.credential.updateMany({
      where: { tenantId, kind: secretKind(destinationId), validUntil: null },
      data: { validUntil: new Date(Date.now() + OVERLAP_MS) },
    }),
    deps.prisma.credential.create({
      data: {
        tenantId,
        kind: secretKind(destinationId),
        ciphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        hint: secretHint(secret),
      },
    }),
  ]);
  return secret;
}

export async function createDestination(deps: Deps, tenantId: string, url: string) {
  const u = await assertPublicDestination(url, deps.allowPrivateAddresses);
  const existing = await deps.prisma.notificationDestination.findUnique({
    where: { tenantId_url: { tenantId, url: u.toString() } },
  });
  if (existing)
    throw new AppError('conflict', 'This tenant already has a destination with that URL.');
  const d = await deps.prisma.notificationDestination.create({
    data: { tenantId, url: u.toString() },
  });
  const secret = await storeSecret(deps, tenantId, d.id);
  return {
    id: d.id,
    url: d.url,
    enabled: d.enabled,
    signingSecret: secret,
    note: 'The signing secret is shown once; store it now.',
  };
}

export async function listDestinations(deps: Pick<Deps, 'prisma'>, tenantId: string) {
  const rows = await deps.prisma.notificationDestination.findMany({
    where: { tenantId },
    orderBy: { createdAt: 'asc' },
  });
  const hints = await deps.prisma.credential.findMany({
    where: { tenantId, kind: { in: rows.map((r) => secretKind(r.id)) }, validUntil: null },
  });
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    enabled: r.enabled,
    secretHint: hints.find((h) => h.kind === secretKind(r.id))?.hint ?? null,
    createdAt: r.createdAt,
  }));
}

async function own(deps: Pick<Deps, 'prisma'>, tenantId: string, destinationId: string) {
  const d = await deps.prisma.notificationDestination.findFirst({
    where: { id: destinationId, tenantId },
  });
  if (!d) throw new AppError('not_found', `No destination ${destinationId} for this tenant.`);
  return d;
}

export async function setDestinationEnabled(
  deps: Pick<Deps, 'prisma'>,
  tenantId: string,
  destinationId: string,
  enabled: boolean,
) {
  await own(deps, tenantId, destinationId);
  const d = await deps.prisma.notificationDestination.update({
    where: { id: destinationId },
    data: { enabled, updatedAt: new Date() },
  });
  return { id: d.id, url: d.url, enabled: d.enabled };
}

export async function rotateDestinationSecret(deps: Deps, tenantId: string, destinationId: string) {
  await own(deps, tenantId, destinationId);
  const secret = await storeSecret(deps, tenantId, destinationId);
  return {
    id: destinationId,
    signingSecret: secret,
    previousValidFor: '24h',
    note: 'The new secret signs X-Signature-Primary now; the old one signs X-Signature-Secondary for 24 h.',
  };
}

/** The secrets that sign now: the current one, and the previous one while it overlaps. */
export async function signingSecrets(
  deps: Pick<Deps, 'prisma' | 'keyring'>,
  tenantId: string,
  destinationId: string,
) {
  const rows = await deps.prisma.credential.findMany({
    where: {
      tenantId,
      kind: secretKind(destinationId),
      OR: [{ validUntil: null }, { validUntil: { gt: new Date() } }],
    },
    orderBy: { createdAt: 'desc' },
  });
  const current = rows.find((r) => r.validUntil === null) ?? rows[0];
  if (!current)
    throw new AppError('internal', `Destination ${destinationId} has no signing secret.`);
  const previous = rows.find((r) => r !== current);
  return {
    current: deps.keyring.open(current.ciphertext, aad(tenantId, destinationId)),
    ...(previous
      ? { previous: deps.keyring.open(previous.ciphertext, aad(tenantId, destinationId)) }
      : {}),
  };
}

/** Removes a destination: its undelivered notifications and its secrets go with it. */
export async function deleteDestination(
  deps: Pick<Deps, 'prisma'>,
  tenantId: string,
  destinationId: string,
) {
  await own(deps, tenantId, destinationId);
  await deps.prisma.$transaction([
    deps.prisma.notification.deleteMany({
      where: { tenantId, destinationId, status: { not: 'delivered' } },
    }),
    deps.prisma.credential.deleteMany({ where: { tenantId, kind: secretKind(destinationId) } }),
    deps.prisma.notificationDestination.delete({ where: { id: destinationId } }),
  ]);
  return { id: destinationId, deleted: true as const };
}
