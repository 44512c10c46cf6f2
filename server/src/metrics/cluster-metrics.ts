// With API_PROCESSES > 1 a scrape reaches one API process of several: it asks the cluster's
// primary, which collects every process's registry (prom-client's AggregatorRegistry over IPC)
// and answers with the sum (counters, histograms) or the largest (the scrape-time gauges).
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'dd:metrics:ask';
const ANSWER = 'dd:metrics:answer';

interface Message {
  type?: string;
  id?: string;
  text?: string;
  error?: string;
}

/** In the primary: answers the processes' requests with the whole cluster's metrics. */
export function serveClusterMetrics() {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Message) => {
    if (message?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text }),
      (err: Error) => worker.send({ type: ANSWER, id: message.id, error: err.message }),
    );
  });
}

/** In an API process of a cluster: lets the primary read this registry. */
export function shareWithPrimary(registry: Registry) {
  new AggregatorRegistry(); // adds prom-client's listener for the primary's requests
  AggregatorRegistry.setRegistries([registry]);
}

/** In an API process of a cluster: the whole cluster's metrics, from the primary. */
export function clusterMetricsText(timeoutMs = 5000): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      done();
      if (message.error) reject(new Error(message.error));
      else resolve(message.text ?? '');
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('the cluster primary did not answer for metrics'));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send?.({ type: ASK, id });
  });
}
