// A Postgres cluster of the suite's own (initdb in a temporary directory, its own port), so the
// outage scenario can restart it without touching the machine's shared server. Postgres refuses
// to run as root: as root, its commands run as the `postgres` user.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './processes.ts';

function binDir() {
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  const versions = spawnSync('ls', ['/usr/lib/postgresql'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n');
  return `/usr/lib/postgresql/${versions.sort().at(-1)}/bin`;
}

export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async create() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dd-pg-'));
    const pg = new PrivatePostgres(dir, await freePort(), binDir());
    if (process.getuid?.() === 0) {
      const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
      chownSync(dir, Number(id), Number(gid));
    }
    pg.run('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    pg.start();
    return pg;
  }

  private run(tool: string, args: string[]) {
    const cmd = path.join(this.bin, tool);
    const r =
      process.getuid?.() === 0
        ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
        : spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr || r.stdout}`);
  }

  url(database = 'postgres') {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start() {
    this.run('pg_ctl', [
      '-D',
      path.join(this.dir, 'data'),
      '-l',
      path.join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c max_connections=200`,
      '-w',
      'start',
    ]);
  }

  stop() {
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  /**
   * A crash, not a shutdown: every Postgres process quits at once, with no checkpoint and no
   * flush of the WAL still in memory; the next start replays what reached the disk.
   */
  crash() {
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  destroy() {
    try {
      this.stop();
    } catch {
      /* already stopped */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
