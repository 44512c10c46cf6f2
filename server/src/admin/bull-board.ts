// Bull Board (the BullMQ dashboard) over every queue, for operators, under /admin/queues. It sits
// behind the admin authentication like the API; a browser signs in with HTTP Basic, the admin
// token as the password.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import { QUEUE_NAMES, type Queues } from '../queues.ts';

export const BULL_BOARD_PATH = '/admin/queues';

export function bullBoard(queues: Queues) {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: (Object.keys(QUEUE_NAMES) as Array<keyof typeof QUEUE_NAMES>).map(
      (k) => new BullMQAdapter(queues[k]),
    ),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'DisputeDesk queues' } },
  });
  return adapter.getRouter() as Router;
}
