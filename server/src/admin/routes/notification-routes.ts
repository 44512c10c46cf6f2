// A tenant's notification destinations and its notifications (dead-lettered ones redelivered).
import { AppError } from '../../errors.ts';
import {
  createDestination,
  listDestinations,
  rotateDestinationSecret,
  setDestinationEnabled,
} from '../../notifications/destinations.ts';
import {
  listNotifications,
  redeliverNotification,
} from '../../notifications/list-notifications.ts';
import { offerPendingNotifications } from '../../notifications/offer-pending.ts';
import {
  CreatedDestinationSchema,
  DestinationSchema,
  RotatedSecretSchema,
} from '../../app-api/contract.ts';
import {
  DestinationBody,
  DestinationList,
  DestinationParams,
  EnabledBody,
  NotificationList,
  NotificationParams,
  NotificationQuery,
  Redelivered,
  TenantParams,
} from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { route } from './route-registry.ts';

const tag = 'Notifications';

export const notificationRoutes = (deps: AdminDeps) => {
  const destinationDeps = {
    prisma: deps.prisma,
    keyring: deps.keyring,
    allowPrivateAddresses: deps.notifications.allowPrivateAddresses,
  };
  return [
    route({
      method: 'get',
      path: '/admin/v1/tenants/:tenantId/notification-destinations',
      role: 'viewer',
      tag,
      summary: 'The tenant’s notification destinations (secrets never shown)',
      params: TenantParams,
      response: DestinationList,
      handle: async ({ params }) => ({ data: await listDestinations(deps, params.tenantId) }),
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/notification-destinations',
      role: 'operator',
      tag,
      summary: 'Add a destination; its signing secret is in this answer only',
      params: TenantParams,
      body: DestinationBody,
      status: 201,
      response: CreatedDestinationSchema,
      handle: async ({ params, body }) => {
        const { rowCount } = await deps.pool.query('SELECT 1 FROM tenants WHERE id = $1', [
          params.tenantId,
        ]);
        if (!rowCount) throw new AppError('not_found', `No tenant ${params.tenantId}.`);
        return createDestination(destinationDeps, params.tenantId, body.url);
      },
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/notification-destinations/:destinationId',
      role: 'operator',
      tag,
      summary: 'Enable or disable a destination',
      params: DestinationParams,
      body: EnabledBody,
      response: DestinationSchema.pick({ id: true, url: true, enabled: true }),
      handle: async ({ params, body }) => {
        const updated = await setDestinationEnabled(
          deps,
          params.tenantId,
          params.destinationId,
          body.enabled,
        );
        if (updated.enabled) await offerPendingNotifications(deps, updated.id);
        return updated;
      },
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/notification-destinations/:destinationId/rotate-secret',
      role: 'operator',
      tag,
      summary: 'Rotate a destination’s signing secret (the old one signs as secondary for 24 h)',
      params: DestinationParams,
      response: RotatedSecretSchema,
      handle: ({ params }) =>
        rotateDestinationSecret(destinationDeps, params.tenantId, params.destinationId),
    }),
    route({
      method: 'get',
      path: '/admin/v1/tenants/:tenantId/notifications',
      role: 'viewer',
      tag,
      summary: 'The tenant’s notifications, newest first (filter dead ones with status=dead)',
      params: TenantParams,
      query: NotificationQuery,
      response: NotificationList,
      handle: async ({ params, query, read }) =>
        listNotifications(await read(), params.tenantId, query),
    }),
    route({
      method: 'post',
      path: '/admin/v1/tenants/:tenantId/notifications/:notificationId/redeliver',
      role: 'operator',
      tag,
      summary: 'Redeliver a dead-lettered notification',
      params: NotificationParams,
      status: 202,
      response: Redelivered,
      handle: ({ params }) => redeliverNotification(deps, params.tenantId, params.notificationId),
    }),
  ];
};
