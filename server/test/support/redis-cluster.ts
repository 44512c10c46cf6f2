// A local Redis Cluster for tests: six redis-server processes in cluster mode on loopback ports
// (three masters, each with a replica), made into a cluster with `redis-cli --cluster create`.
// A master can be killed to watch its replica take over (cluster-node-timeout 1 s).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './poll.ts';
import { freePort } from './redis-server.ts';

interface Node {
  port: number;
  child: ChildProcess;
}

export class LocalRedisCluster {
  private constructor(
    private readonly dir: string,
    readonly nodes: Node[],
  ) {}

  /** REDIS_URL for the product: one seed node is enough, the client learns the others. */
  get url() {
    const [first, ...rest] = this.nodes.filter((n) => n.child.exitCode === null);
    return `redis://127.0.0.1:${first!.port}?cluster=true&nodes=${rest.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  static async start(size = 6): Promise<LocalRedisCluster> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dd-redis-cluster-'));
    const nodes: Node[] = [];
    for (let i = 0; i < size; i++) {
      // The node before may not be listening yet, so the kernel can hand its port out again; and
      // each node's cluster bus takes the port 10000 above its own.
      let port = await freePort();
      while (nodes.some((n) => n.port === port) || port + 10000 > 65535) port = await freePort();
      const own = path.join(dir, String(port));
      mkdirSync(own);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(own, 'nodes.conf'),
          '--cluster-node-timeout',
          '1000',
          // Replicas sync at once (the default waits 5 s for more replicas to share a transfer):
          // a replica that never synced may not take over.
          '--repl-diskless-sync-delay',
          '0',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          own,
          '--logfile',
          path.join(own, 'redis.log'),
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ port, child });
    }
    const cluster = new LocalRedisCluster(dir, nodes);
    try {
      for (const n of nodes)
        await waitFor(() => cluster.ping(n.port), { what: `redis ${n.port} up` });
      const made = spawnSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...nodes.map((n) => `127.0.0.1:${n.port}`),
          '--cluster-replicas',
          '1',
          '--cluster-yes',
        ],
        { encoding: 'utf8' },
      );
      if (made.status !== 0)
        throw new Error(`redis-cli --cluster create: ${made.stdout}${made.stderr}`);
      await waitFor(() => cluster.healthy(), { what: 'the cluster to be ok on every node' });
      await waitFor(() => cluster.replicasInSync(), {
        what: 'every replica in sync with its master',
      });
    } catch (err) {
      await cluster.stop(); // no redis-server left behind
      throw err;
    }
    return cluster;
  }

  private async ping(port: number) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  }

  private async info(port: number, ...args: string[]): Promise<string> {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return String(await r.call('CLUSTER', ...args));
    } finally {
      r.disconnect();
    }
  }

  /** Every replica's link to its master is up (it could take over). */
  async replicasInSync(): Promise<boolean> {
    for (const n of this.nodes) {
      const r = new Redis({
        port: n.port,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: () => null,
      });
      r.on('error', () => undefined);
      try {
        await r.connect();
        const info = await r.info('replication');
        if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
      } finally {
        r.disconnect();
      }
    }
    return true;
  }

  /** Every live node says cluster_state:ok and every slot is served. */
  async healthy(): Promise<boolean> {
    for (const n of this.nodes) {
      if (n.child.exitCode !== null || n.child.signalCode !== null) continue;
      const info = await this.info(n.port, 'INFO');
      if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384'))
        return false;
    }
    return true;
  }

  /** The port of the master that serves `key`'s slot now (the queue keys of a hash-tag prefix). */
  async masterFor(key: string): Promise<number> {
    const live = this.nodes.find((n) => n.child.exitCode === null && n.child.signalCode === null)!;
    const slot = Number(await this.info(live.port, 'KEYSLOT', key));
    const lines = (await this.info(live.port, 'NODES')).trim().split('\n');
    for (const line of lines) {
      const [, addr, flags, , , , , , ...ranges] = line.split(' ');
      if (!flags!.includes('master') || flags!.includes('fail')) continue;
      for (const r of ranges) {
        const [a, b] = r.split('-').map(Number);
        if (slot >= a! && slot <= (b ?? a)!) return Number(addr!.split('@')[0]!.split(':')[1]);
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** SIGKILL: the node is gone at once, as a crashed machine would be. */
  async kill(port: number) {
    const n = this.nodes.find((x) => x.port === port)!;
    const exited = new Promise((r) => n.child.once('exit', r));
    n.child.kill('SIGKILL');
    await exited;
  }

  async stop() {
    await Promise.all(
      this.nodes
        .filter((n) => n.child.exitCode === null && n.child.signalCode === null)
        .map((n) => {
          const exited = new Promise((r) => n.child.once('exit', r));
          n.child.kill('SIGKILL');
          return exited;
        }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
