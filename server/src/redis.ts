// Redis connections for BullMQ. Producers fail fast while Redis is down (the sweeper re-enqueues
// from Postgres later); workers wait and reconnect forever, as BullMQ requires.
import { Redis } from 'ioredis';

export type { Redis };

export function createRedis(url: string, role: 'producer' | 'worker' | 'probe'): Redis {
  return new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 3000,
    // Reconnect quickly and forever: the sweeper relies on the connection coming back.
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}
