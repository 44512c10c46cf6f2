// Runs the API as several processes sharing one port (node:cluster). The API is stateless: every
// request's durability is Postgres's, so processes are interchangeable. The primary only
// supervises: it restarts a process that dies, and on SIGTERM/SIGINT asks every process to
// shut down gracefully and waits for them (bounded).
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger.ts';

export function runApiPrimary(opts: {
  processes: number;
  shutdownTimeoutMs: number;
  logger: Logger;
}) {
  const { logger } = opts;
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < opts.processes; i++) fork();
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return;
    logger.error(
      { pid: worker.process.pid, code, signal },
      'an API process died; starting another',
    );
    fork();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, processes: Object.keys(cluster.workers ?? {}).length },
      'stopping API processes',
    );
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    let failed = false;
    let left = workers.length;
    const timer = setTimeout(() => {
      logger.error('API processes did not stop in time; exiting');
      process.exit(1);
    }, opts.shutdownTimeoutMs + 1000);
    timer.unref();
    for (const w of workers) {
      w.once('exit', (code) => {
        if (code !== 0) failed = true;
        if (--left === 0) process.exit(failed ? 1 : 0);
      });
      w.process.kill('SIGTERM');
    }
    if (workers.length === 0) process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

export const isClusterPrimary = () => cluster.isPrimary;
export const isClusterWorker = () => cluster.isWorker;
