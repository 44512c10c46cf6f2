// The app's notification settings: destinations (the signing secret is shown once, on creation
// and rotation), enable/disable, a test delivery, removal.
import type { Router } from 'express';
import { z } from 'zod';
import { parse } from '../http/parse.ts';
import {
  createDestination,
  deleteDestination,
  listDestinations,
  rotateDestinationSecret,
  setDestinationEnabled,
} from '../notifications/destinations.ts';
import { offerPendingNotifications } from '../notifications/offer-pending.ts';
import { sendTestNotification } from '../notifications/test-delivery.ts';
import { DestinationBody, EnabledBody } from './contract.ts';
import type { AppApiDeps } from './deps.ts';
import { appCaller, connectedTenant } from './verify-app-request.ts';

const DestinationId = z.uuid();
const BASE = '/app/v1/notification-destinations';

export function settingsRoutes(router: Router, deps: AppApiDeps) {
  const destinationDeps = {
    prisma: deps.prisma,
    keyring: deps.keyring,
    allowPrivateAddresses: deps.notifications.allowPrivateAddresses,
  };
  const id = (raw: unknown) => parse(DestinationId, raw, 'destination id');

  router.get(BASE, async (_req, res) => {
    res.json({ data: await listDestinations(deps, connectedTenant(res).id) });
  });

  router.post(BASE, async (req, res) => {
    const tenant = connectedTenant(res);
    const body = parse(DestinationBody, req.body, 'body');
    res.status(201).json(await createDestination(destinationDeps, tenant.id, body.url));
  });

  router.post(`${BASE}/:id`, async (req, res) => {
    const tenant = connectedTenant(res);
    const body = parse(EnabledBody, req.body, 'body');
    const updated = await setDestinationEnabled(deps, tenant.id, id(req.params.id), body.enabled);
    if (updated.enabled) await offerPendingNotifications(deps, updated.id);
    res.json(updated);
  });

  router.post(`${BASE}/:id/rotate-secret`, async (req, res) => {
    const tenant = connectedTenant(res);
    res.json(await rotateDestinationSecret(destinationDeps, tenant.id, id(req.params.id)));
  });

  router.post(`${BASE}/:id/test`, async (req, res) => {
    const tenant = connectedTenant(res);
    const result = await sendTestNotification(
      { prisma: deps.prisma, keyring: deps.keyring, settings: deps.notifications },
      { id: tenant.id, stripeAccountId: appCaller(res).accountId },
      id(req.params.id),
    );
    res.json(result);
  });

  router.delete(`${BASE}/:id`, async (req, res) => {
    const tenant = connectedTenant(res);
    res.json(await deleteDestination(deps, tenant.id, id(req.params.id)));
  });
}
