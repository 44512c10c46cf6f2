// A PostgreSQL primary and a streaming replica of it in a temporary directory, on loopback ports,
// for the read-replica tests: initdb, pg_basebackup -R, both started with pg_ctl as the postgres
// user (initdb refuses root). The primary's database is a copy of the run's migrated template.
// The machine's own cluster is only read (pg_dump of the template); nothing of it is changed.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { waitFor } from './poll.ts';

const DATABASE = 'dd';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions)
    if (existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  throw new Error('No PostgreSQL server binaries (initdb) under /usr/lib/postgresql');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class LocalPostgresPair {
  private constructor(
    private readonly dir: string,
    private readonly bin: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  static async start(): Promise<LocalPostgresPair> {
    const bin = binDir();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dd-pg-pair-'));
    const pair = new LocalPostgresPair(dir, bin, await freePort(), await freePort());
    try {
      await pair.boot();
    } catch (err) {
      pair.stop();
      throw err;
    }
    return pair;
  }

  url(which: 'primary' | 'replica'): string {
    const port = which === 'primary' ? this.primaryPort : this.replicaPort;
    return `postgresql://postgres@127.0.0.1:${port}/${DATABASE}`;
  }

  /** Runs SQL on one of them as the superuser. */
  async sql(
    which: 'primary' | 'replica',
    text: string,
  ): Promise<pg.QueryResult<Record<string, unknown>>> {
    const c = new pg.Client({ connectionString: this.url(which) });
    await c.connect();
    try {
      return await c.query(text);
    } finally {
      await c.end();
    }
  }

  /** Stops applying WAL on the replica (it keeps receiving it): its lag grows with each write. */
  pauseReplay = () => this.sql('replica', 'SELECT pg_wal_replay_pause()');
  resumeReplay = () => this.sql('replica', 'SELECT pg_wal_replay_resume()');

  stopReplica(): void {
    this.ctl(['-D', path.join(this.dir, 'replica'), '-m', 'immediate', 'stop'], true);
  }

  stop(): void {
    for (const node of ['replica', 'primary']) {
      if (existsSync(path.join(this.dir, node, 'postmaster.pid')))
        this.ctl(['-D', path.join(this.dir, node), '-m', 'immediate', 'stop'], true);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(this.dir, uid, gid);
    const primary = path.join(this.dir, 'primary');
    const replica = path.join(this.dir, 'replica');
    this.run('initdb', ['-D', primary, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    appendFileSync(primary + '/pg_hba.conf', '\nhost replication all 127.0.0.1/32 trust\n');
    // Durability is not what these tests are about.
    appendFileSync(primary + '/postgresql.conf', '\nfsync = off\nfull_page_writes = off\n');
    this.startNode(primary, this.primaryPort);
    await this.waitReady(this.primaryPort);
    // Client options for the primary, as the postgres superuser over TCP.
    const onPrimary = ['-h', '127.0.0.1', '-p', String(this.primaryPort), '-U', 'postgres'];
    this.run('createdb', [...onPrimary, DATABASE]);
    // The run's migrated template, as pg_dump writes it (schema, partitions and any seeded rows).
    const template = new URL(inject('adminDatabaseUrl'));
    template.pathname = `/${inject('templateDatabase')}`;
    const dump = spawnSync(path.join(this.bin, 'pg_dump'), ['--no-owner', template.toString()], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (dump.status !== 0) throw new Error(`pg_dump failed: ${dump.stderr}`);
    const load = spawnSync(
      path.join(this.bin, 'psql'),
      ['-q', '-v', 'ON_ERROR_STOP=1', this.url('primary')],
      { input: dump.stdout, encoding: 'utf8' },
    );
    if (load.status !== 0) throw new Error(`loading the schema failed: ${load.stderr}`);
    this.run('pg_basebackup', [
      ...onPrimary,
      ...['-D', replica, '-R', '-X', 'stream'],
      // At once: a spread checkpoint paces its writes over minutes, even with little to write.
      '--checkpoint=fast',
    ]);
    this.startNode(replica, this.replicaPort);
    await this.waitReady(this.replicaPort);
    await waitFor(
      async () =>
        (await this.sql('replica', 'SELECT pg_is_in_recovery() AS r')).rows[0]?.r === true,
      {
        timeoutMs: 30_000,
        what: 'the replica in recovery',
      },
    );
  }

  private startNode(dataDir: string, port: number): void {
    this.ctl([
      '-D',
      dataDir,
      '-l',
      `${dataDir}.log`,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
  }

  private async waitReady(port: number): Promise<void> {
    await waitFor(
      () =>
        spawnSync(path.join(this.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)])
          .status === 0,
      { timeoutMs: 30_000, what: `postgres on ${port}` },
    );
  }

  private ctl(args: string[], tolerant = false): void {
    const r = this.asPostgres('pg_ctl', args);
    if (r.status !== 0 && !tolerant)
      throw new Error(`pg_ctl ${args.at(-1)} failed: ${r.stderr}${r.stdout}`);
  }

  private run(tool: string, args: string[]): void {
    const r = this.asPostgres(tool, args);
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}${r.stdout}`);
  }

  private asPostgres(tool: string, args: string[]) {
    const exe = path.join(this.bin, tool);
    const asRoot = process.getuid?.() === 0;
    return spawnSync(
      asRoot ? 'runuser' : exe,
      asRoot ? ['-u', 'postgres', '--', exe, ...args] : args,
      {
        encoding: 'utf8',
        cwd: this.dir,
      },
    );
  }
}
