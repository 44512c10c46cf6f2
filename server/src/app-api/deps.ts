// What the app API's routes need, built once in main.ts (its own module, so the router and the
// route files do not import each other).
import type { ConnectionDeps } from '../connections/install-deps.ts';
import type { TenantClients } from '../connections/credentials/tenant-clients.ts';
import type { ReadRouting } from '../read-routing.ts';

export type AppApiDeps = ConnectionDeps & {
  clients: TenantClients;
  notifications: { allowPrivateAddresses: boolean; timeoutMs: number };
  /** Where GETs read (a replica when configured); absent: the primary. */
  reads?: ReadRouting;
};
