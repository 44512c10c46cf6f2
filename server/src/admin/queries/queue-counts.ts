// Jobs per queue and state, for the admin API (Bull Board shows the jobs themselves).
import { QUEUE_NAMES, type Queues } from '../../queues.ts';

const STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'failed',
  'completed',
  'paused',
] as const;

export async function queueCounts(queues: Queues) {
  const entries = await Promise.all(
    (Object.keys(QUEUE_NAMES) as Array<keyof typeof QUEUE_NAMES>).map(
      async (key) => [QUEUE_NAMES[key], await queues[key].getJobCounts(...STATES)] as const,
    ),
  );
  return { queues: Object.fromEntries(entries) };
}
