// The drawer: status in a few lines and the most urgent dispute, in each state.
import { Badge, Banner, Spinner } from '@stripe/ui-extension-sdk/ui';
import StatusDrawer from '../src/views/StatusDrawer';
import { stubBackendPerFile } from './support/backend';
import { fail, ok, statusFixture, summaryFixture } from './support/fixtures';
import { renderView } from './support/render-view';

const backend = stubBackendPerFile();

describe('StatusDrawer', () => {
  it('loads', async () => {
    backend.on('GET /app/v1/status', 'hang');
    const { wrapper, update } = renderView(StatusDrawer, backend);
    await update();
    expect(wrapper).toContainComponent(Spinner);
  });

  it('sums up the status and shows the most urgent dispute', async () => {
    backend.on('GET /app/v1/status', ok(statusFixture()));
    backend.on('GET /app/v1/summary', ok(summaryFixture()));
    const { wrapper, eventually } = renderView(StatusDrawer, backend);
    await eventually(() => expect(wrapper).toContainText('3 open disputes, 2 needing a response'));
    expect(wrapper).toContainText('1 due within 72 hours');
    expect(wrapper).toContainText('Last webhook 5 minutes ago');
    expect(wrapper).toContainText('Most urgent');
    expect(wrapper).toContainComponent(Badge, { type: 'urgent' });
  });

  it('says when nothing needs a response', async () => {
    backend.on('GET /app/v1/status', ok(statusFixture()));
    backend.on(
      'GET /app/v1/summary',
      ok(summaryFixture({ open: 0, needsResponse: 0, dueWithin72h: 0, urgent: [] })),
    );
    const { wrapper, eventually } = renderView(StatusDrawer, backend);
    await eventually(() => expect(wrapper).toContainText('No dispute needs a response.'));
  });

  it('offers to reconnect a disconnected account', async () => {
    backend.on(
      'GET /app/v1/status',
      ok(
        statusFixture({
          connection: {
            status: 'disconnected',
            statusReason: 'deauthorized: the app was uninstalled',
          },
        }),
      ),
    );
    const { wrapper, eventually } = renderView(StatusDrawer, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'DisputeDesk is disconnected' }),
    );
    expect(wrapper).toContainText('Disconnected · test mode');
  });

  it('shows an error', async () => {
    backend.on('GET /app/v1/status', fail(500, 'internal', 'Something went wrong on our side.'));
    const { wrapper, eventually } = renderView(StatusDrawer, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, {
        type: 'critical',
        description: 'Something went wrong on our side.',
      }),
    );
  });
});
