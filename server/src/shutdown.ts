// Graceful shutdown for both processes: on SIGTERM/SIGINT run `stop` (stop accepting, finish
// in-flight work), bounded by a timeout after which the process exits anyway.
import type { Logger } from './logger.ts';

export function onShutdownSignal(
  logger: Logger,
  timeoutMs: number,
  stop: () => Promise<void>,
  opts: { exitOnSecondSignal?: boolean } = {},
) {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Under a cluster primary, Ctrl-C reaches every process and the primary forwards SIGTERM
      // as well: the second signal is expected there, not a request to hurry.
      if (opts.exitOnSecondSignal === false) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting with work unfinished');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** True when this module is the script node was asked to run (not imported by a test). */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const path = new URL(moduleUrl).pathname;
  return path === entry || path.replace(/\.(ts|js)$/, '') === entry.replace(/\.(ts|js)$/, '');
}
