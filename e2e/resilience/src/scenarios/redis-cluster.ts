// Redis Cluster failover during load: the API and the worker run on a local cluster (three
// masters with a replica each) with a hash-tagged queue prefix; the master holding the queues is
// killed (SIGKILL) at second 3, its replica takes over, and every acknowledged event must still
// be processed once.
import { randomBytes } from 'node:crypto';
import { LocalRedisCluster } from '../../../../server/test/support/redis-cluster.ts';
import { loadThroughOutage } from '../outage.ts';
import { until } from '../processes.ts';
import type { ScenarioResult } from '../setup.ts';

export async function redisClusterScenario(short: boolean): Promise<ScenarioResult> {
  const cluster = await LocalRedisCluster.start();
  const prefix = `{ddres-${randomBytes(4).toString('hex')}}`;
  try {
    const doomed = await cluster.masterFor(prefix);
    let promotedAfter = NaN;
    let killedAt = 0;
    const { run, check } = await loadThroughOutage({
      tag: 'k',
      redisUrl: cluster.url,
      extraEnv: { QUEUE_PREFIX: prefix },
      rate: short ? 100 : 200,
      seconds: short ? 10 : 30,
      outage: 2,
      down: async () => {
        killedAt = Date.now();
        await cluster.kill(doomed);
      },
      up: async () => {
        await until(
          'a replica promoted',
          async () => (await cluster.healthy()) && (await cluster.masterFor(prefix)) !== doomed,
          30_000,
        );
        promotedAfter = (Date.now() - killedAt) / 1000;
      },
    });
    return {
      name: 'redis cluster failover',
      problems: check.problems,
      figures: {
        cluster: '3 masters + 3 replicas on loopback',
        'master killed': `the one holding ${prefix} (port ${doomed}), at second 3`,
        'replica serving after': `${promotedAfter.toFixed(1)} s`,
        'acknowledged (unique)': run.acked.size,
        answers: JSON.stringify(run.statuses),
        'all processed': `${check.drainSeconds.toFixed(1)} s after the load`,
      },
    };
  } finally {
    await cluster.stop();
  }
}
