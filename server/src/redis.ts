// Redis connections for BullMQ. Producers fail fast while Redis is down (the sweeper re-enqueues
// from Postgres later); workers wait and reconnect forever, as BullMQ requires.
//
// REDIS_URL is one server (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS) or a
// Redis Cluster: `redis://host:port?cluster=true`, optionally with more seed nodes
// (`&nodes=host2:port2,host3:port3`); the client learns the rest of the cluster from them and
// follows failovers. On a cluster every key of a queue must share a slot: QUEUE_PREFIX must be a
// hash tag such as `{dd}` (config.ts refuses anything else).
import { Cluster, Redis as Single, type RedisOptions } from 'ioredis';

export type Redis = Single | Cluster;

export interface RedisTarget {
  cluster: boolean;
  nodes: Array<{ host: string; port: number }>;
  options: Pick<RedisOptions, 'username' | 'password' | 'db' | 'tls'>;
}

/** What REDIS_URL names: one server or a cluster's seed nodes, and the connection's options. */
export function redisTarget(url: string): RedisTarget {
  const u = new URL(url);
  const cluster = u.searchParams.get('cluster') === 'true';
  const first = { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) };
  const more = (u.searchParams.get('nodes') ?? '')
    .split(',')
    .filter(Boolean)
    .map((hp) => {
      const at = hp.lastIndexOf(':');
      return { host: hp.slice(0, at), port: Number(hp.slice(at + 1)) };
    });
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    cluster,
    nodes: [first, ...more],
    options: {
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(db !== undefined && !cluster ? { db } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  };
}

export function createRedis(url: string, role: 'producer' | 'worker' | 'probe'): Redis {
  const target = redisTarget(url);
  const options: RedisOptions = {
    ...target.options,
    lazyConnect: false,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 3000,
    // Reconnect quickly and forever: the sweeper relies on the connection coming back.
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
  if (!target.cluster) return new Single({ ...options, ...target.nodes[0]! });
  return new Cluster(target.nodes, {
    redisOptions: options,
    enableOfflineQueue: role === 'worker',
    clusterRetryStrategy: (times) => Math.min(200 * times, 2000),
    // After a failover the slots move to the promoted replica: ask the cluster again soon.
    slotsRefreshTimeout: 2000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
  });
}
