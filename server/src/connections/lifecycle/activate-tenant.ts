// Marks a tenant connected (create or reactivate) and releases the events that arrived before
// it was. Used by every connection flow (OAuth, platform install, API key).
import type { ConnectionType } from '../../generated/prisma/enums.ts';
import type { PrismaClient } from '../../db.ts';
import type { Logger } from '../../logger.ts';
import type { EnqueueDeps } from '../../events/enqueue-events.ts';
import { releaseDeferredEvents } from '../../events/release-deferred-events.ts';

export interface ActivateInput {
  stripeAccountId: string;
  livemode: boolean;
  connectionType: ConnectionType;
  displayName?: string | null;
  /** Installed in one of the merchant's sandboxes (OAuth through the managed sandbox). */
  sandbox?: boolean;
}

export async function activateTenant(
  deps: EnqueueDeps & { prisma: PrismaClient; logger: Logger },
  input: ActivateInput,
) {
  const now = new Date();
  const tenant = await deps.prisma.tenant.upsert({
    where: {
      stripeAccountId_livemode: {
        stripeAccountId: input.stripeAccountId,
        livemode: input.livemode,
      },
    },
    create: {
      stripeAccountId: input.stripeAccountId,
      livemode: input.livemode,
      connectionType: input.connectionType,
      sandbox: input.sandbox ?? false,
      status: 'active',
      displayName: input.displayName ?? null,
      connectedAt: now,
    },
    update: {
      connectionType: input.connectionType,
      sandbox: input.sandbox ?? false,
      status: 'active',
      statusReason: null,
      disconnectedAt: null,
      connectedAt: now,
      ...(input.displayName ? { displayName: input.displayName } : {}),
    },
  });
  const { released } = await releaseDeferredEvents(deps, tenant.id);
  return { tenant, released };
}
