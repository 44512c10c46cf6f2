// What the connection use cases need, built once in main.ts.
import type { Config } from '../config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Pool, PrismaClient } from '../db.ts';
import type { EnqueueDeps } from '../events/enqueue-events.ts';
import type { Logger } from '../logger.ts';
import type { Queues } from '../queues.ts';

export interface ConnectionDeps extends EnqueueDeps {
  prisma: PrismaClient;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
  queues: Pick<Queues, 'backfill' | 'reports' | 'maintenance' | 'notifications'>;
  stripe: Config['stripe'];
  oauth: Config['oauth'];
  app: Config['app'];
  publicBaseUrl: string;
}
