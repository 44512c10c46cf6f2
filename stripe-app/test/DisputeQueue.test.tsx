// The disputes queue beside the payments list, in each state: loading, not connected, pending,
// empty (imported, and while the import runs), disputes soonest deadline first with links to their
// payments (closed and past-due ones left out), more than a page, and a failed read.
import { Banner, Link, Spinner } from '@stripe/ui-extension-sdk/ui';
import DisputeQueue from '../src/views/DisputeQueue';
import { stubBackendPerFile } from './support/backend';
import { disputeFixture, fail, ok, statusFixture } from './support/fixtures';
import { renderView } from './support/render-view';

const backend = stubBackendPerFile();
const H = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const imported = () => {
  const s = statusFixture();
  return statusFixture({ backfill: { ...s.backfill, status: 'succeeded', percent: 100 } });
};
const page = (data: unknown[], hasMore = false) =>
  ok({ data, has_more: hasMore, next_cursor: hasMore ? 'c1' : null });
const dispute = (id: string, payment: string, dueInHours: number | null, over = {}) => {
  const { timeline: _t, ...d } = disputeFixture({
    id,
    paymentIntentId: payment,
    transactionId: payment,
    challengeRequiredBy: dueInHours === null ? null : iso(Date.now() + dueInHours * H),
    ...over,
  });
  return d;
};

describe('DisputeQueue', () => {
  it('loads', async () => {
    backend.on('GET /app/v1/status', 'hang');
    const { wrapper, update } = renderView(DisputeQueue, backend);
    await update();
    expect(wrapper).toContainComponent(Spinner);
  });

  it('lists the answerable disputes soonest deadline first, each linking to its payment', async () => {
    backend.on('GET /app/v1/status', ok(imported()));
    backend.on(
      'GET /app/v1/disputes',
      page([
        dispute('du_later', 'pi_later', 100),
        dispute('du_sooner', 'pi_sooner', 10),
        dispute('du_past', 'pi_past', -5), // its deadline passed: nothing to answer
        dispute('du_sent', 'pi_sent', 50, { evidenceSubmissions: 1 }),
      ]),
    );
    const { wrapper, eventually } = renderView(DisputeQueue, backend);
    await eventually(() => expect(wrapper).toContainComponent(Link));
    expect(wrapper.findAll(Link).map((l) => l.props.href)).toEqual([
      { name: 'paymentDetails', params: { paymentId: 'pi_sooner' } },
      { name: 'paymentDetails', params: { paymentId: 'pi_later' } },
    ]);
    const req = backend.requests.find((r) => r.path === '/app/v1/disputes')!;
    expect(req.query).toMatchObject({ status: 'OPEN', limit: '100' });
  });

  it('says when there is nothing to answer — and not that while the import runs', async () => {
    backend.on('GET /app/v1/status', ok(imported()));
    backend.on('GET /app/v1/disputes', page([]));
    const done = renderView(DisputeQueue, backend);
    await done.eventually(() => expect(done.wrapper).toContainText('No dispute needs a response.'));

    backend.on('GET /app/v1/status', ok(statusFixture())); // the import is running
    const running = renderView(DisputeQueue, backend);
    await running.eventually(() =>
      expect(running.wrapper).toContainText(
        'Nothing to answer so far: the history import is still running.',
      ),
    );
  });

  it('says when there are more open disputes than it shows', async () => {
    backend.on('GET /app/v1/status', ok(imported()));
    backend.on('GET /app/v1/disputes', page([dispute('du_1', 'pi_1', 20)], true));
    const { wrapper, eventually } = renderView(DisputeQueue, backend);
    await eventually(() =>
      expect(wrapper).toContainText('Showing the 100 most recent open disputes'),
    );
  });

  it('asks an unconnected account to connect, waits on a pending one, reading no disputes', async () => {
    backend.on(
      'GET /app/v1/status',
      ok(statusFixture({ connection: { status: 'not_connected', connectedAt: null } })),
    );
    const off = renderView(DisputeQueue, backend);
    await off.eventually(() =>
      expect(off.wrapper).toContainComponent(Banner, { title: 'Connect DisputeDesk' }),
    );
    backend.on(
      'GET /app/v1/status',
      ok(statusFixture({ connection: { status: 'pending', connectedAt: null } })),
    );
    const waiting = renderView(DisputeQueue, backend);
    await waiting.eventually(() =>
      expect(waiting.wrapper).toContainComponent(Banner, { title: 'Finishing the install' }),
    );
    expect(backend.requests.some((r) => r.path === '/app/v1/disputes')).toBe(false);
  });

  it('shows a failed read with a retry', async () => {
    backend.on('GET /app/v1/status', fail(503, 'storage_unavailable', 'Try again shortly.'));
    const { wrapper, eventually } = renderView(DisputeQueue, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'DisputeDesk could not load this' }),
    );
  });
});
