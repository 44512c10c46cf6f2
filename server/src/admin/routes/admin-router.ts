// The admin API (support staff): authentication and rate limits for everything under /admin,
// Bull Board (read-only below admin), then every route of the registry — tenants, events, history and
// reports, notifications, operations — and the OpenAPI document generated from them.
import express from 'express';
import { adminAuthentication } from '../access/authenticate-admin.ts';
import { BULL_BOARD_PATH, bullBoard } from './bull-board.ts';
import { Anything } from '../contract.ts';
import type { AdminDeps } from '../deps.ts';
import { analyticsRoutes } from './analytics-routes.ts';
import { eventRoutes } from './event-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { notificationRoutes } from './notification-routes.ts';
import { opsRoutes } from './ops-routes.ts';
import { mountAdminRoutes, openApiDocument, route, type AdminRoute } from './route-registry.ts';
import { tenantRoutes } from './tenant-routes.ts';

export function adminRoutes(deps: AdminDeps): AdminRoute[] {
  const served: { document?: unknown } = {};
  const routes: AdminRoute[] = [
    ...tenantRoutes(deps),
    ...eventRoutes(deps),
    ...evidenceRoutes(deps),
    ...analyticsRoutes(deps),
    ...historyRoutes(deps),
    ...notificationRoutes(deps),
    ...opsRoutes(deps),
    route({
      method: 'get',
      path: '/admin/v1/openapi.json',
      role: 'viewer',
      tag: 'Operations',
      summary: 'This document (OpenAPI 3.1)',
      response: Anything,
      handle: () => Promise.resolve(served.document),
    }),
  ];
  served.document = openApiDocument(routes);
  return routes;
}

export function adminRouter(deps: AdminDeps) {
  const router = express.Router();
  router.use('/admin', adminAuthentication(deps), express.json({ limit: '64kb' }));
  router.use(BULL_BOARD_PATH, bullBoard(deps));
  mountAdminRoutes(router, adminRoutes(deps), deps);
  return router;
}
