// The home overview in each state: loading, connected with figures, chart and urgent disputes,
// quiet (no disputes), not connected, and a failed read.
import {
  Badge,
  Link,
  Banner,
  BarChart,
  Button,
  Box,
  PropertyListItem,
  Spinner,
} from '@stripe/ui-extension-sdk/ui';
import Overview from '../src/views/Overview';
import { stubBackendPerFile } from './support/backend';
import { fail, ok, statusFixture, summaryFixture } from './support/fixtures';
import { buttonInProp, pressInProp, renderView } from './support/render-view';

const backend = stubBackendPerFile();

describe('Overview', () => {
  it('shows a spinner while loading', async () => {
    backend.on('GET /app/v1/status', 'hang');
    const { wrapper, update } = renderView(Overview, backend);
    await update();
    expect(wrapper).toContainComponent(Spinner);
  });

  it('shows connection health, import progress, figures, the weekly chart and the most urgent dispute', async () => {
    backend.on('GET /app/v1/status', ok(statusFixture()));
    backend.on('GET /app/v1/summary', ok(summaryFixture()));
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() => expect(wrapper).toContainText('Connected · test mode'));
    expect(wrapper).toContainComponent(PropertyListItem, { label: 'Events (24 h)', value: '321' });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Last webhook',
      value: '5 minutes ago',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Reports',
      value: '58 of 60 ingested, 2 in progress · last 1 hour ago',
    });
    expect(wrapper).toContainText('History import: Running · 40 % · 12000 objects');
    // Progress bars: the label carries the figures, the filled Box the width (6 of 12 windows).
    expect(wrapper).toContainText('Charge: 9000 of ~18000 · 50 %');
    expect(wrapper).toContainText('Dispute: 3000 · 100 %');
    expect(wrapper).toContainComponent(Box, {
      css: {
        backgroundColor: 'surface',
        borderRadius: 'rounded',
        height: 8,
        width: '6/12',
        keyline: 'neutral',
      },
    });
    expect(wrapper).toContainComponent(PropertyListItem, { label: 'Open disputes', value: '3' });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Due within 72 hours',
      value: '1',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Win rate (90 days)',
      value: '33 % (1 won, 2 lost)',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Amount at risk',
      value: '$50.00 · €10.00',
    });
    expect(wrapper).toContainText('Fraud: 3 · Product not received: 1');
    expect(wrapper).toContainComponent(BarChart, { x: 'week', y: 'count', color: 'outcome' });
    expect(wrapper.find(BarChart)!.props.data).toHaveLength(2);
    expect(wrapper).toContainText('Most urgent');
    expect(wrapper).toContainComponent(Badge, { type: 'urgent' });
    // The urgent dispute links to its payment's page, as an SDK route (no absolute URL, no new tab).
    expect(wrapper).toContainComponent(Link, {
      href: { name: 'paymentDetails', params: { paymentId: 'pi_1Test' } },
    });
  });

  it('formats money and dates in the user’s locale', async () => {
    backend.on('GET /app/v1/status', ok(statusFixture()));
    backend.on('GET /app/v1/summary', ok(summaryFixture()));
    const { wrapper, eventually } = renderView(Overview, backend, { locale: 'de-DE' });
    await eventually(() =>
      expect(wrapper).toContainComponent(PropertyListItem, {
        label: 'Amount at risk',
        value: '50,00\u00a0$ · 10,00\u00a0€',
      }),
    );
  });

  it('warns about signature failures and a failed import', async () => {
    backend.on(
      'GET /app/v1/status',
      ok(
        statusFixture({
          webhooks: { lastReceivedAt: null, events24h: 0, signatureFailures24h: 4 },
          backfill: {
            ...statusFixture().backfill,
            status: 'failed',
            error: 'no Stripe access: 401',
          },
        }),
      ),
    );
    backend.on('GET /app/v1/summary', ok(summaryFixture()));
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Some deliveries failed verification' }),
    );
    expect(wrapper).toContainComponent(Banner, {
      title: 'History import failed',
      description: 'no Stripe access: 401',
    });
    expect(wrapper).toContainComponent(PropertyListItem, { label: 'Last webhook', value: 'never' });
  });

  it('has a quiet state with no disputes', async () => {
    const status = statusFixture();
    backend.on(
      'GET /app/v1/status',
      ok({
        ...status,
        backfill: { ...status.backfill, status: 'succeeded', percent: 100 },
      }),
    );
    backend.on(
      'GET /app/v1/summary',
      ok(
        summaryFixture({
          open: 0,
          needsResponse: 0,
          dueWithin72h: 0,
          amountAtRisk: [],
          winRate90d: { won: 0, lost: 0, rate: null },
          byReason90d: [],
          weekly: [],
          urgent: [],
        }),
      ),
    );
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() => expect(wrapper).toContainText('No disputes in the last 90 days.'));
    expect(wrapper).not.toContainText('partial');
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Amount at risk',
      value: 'None',
    });
    expect(wrapper).not.toContainComponent(BarChart);
  });

  it('says the figures are partial, not "no disputes", while the history import runs', async () => {
    backend.on('GET /app/v1/status', ok(statusFixture())); // the import is running
    backend.on(
      'GET /app/v1/summary',
      ok(
        summaryFixture({
          open: 0,
          needsResponse: 0,
          dueWithin72h: 0,
          amountAtRisk: [],
          winRate90d: { won: 0, lost: 0, rate: null },
          byReason90d: [],
          weekly: [],
          urgent: [],
        }),
      ),
    );
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() =>
      expect(wrapper).toContainText(
        'No disputes found so far: the history import is still running.',
      ),
    );
    expect(wrapper).toContainText('Disputes at a glance · partial');
    expect(wrapper).not.toContainText('No disputes in the last 90 days.');
    // The money figures' read (not stubbed here) has answered before the next test starts.
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Dispute figures' }),
    );
  });

  it('asks an unconnected account to connect, without asking for figures', async () => {
    backend.on(
      'GET /app/v1/status',
      ok(
        statusFixture({
          connection: { status: 'not_connected', connectedAt: null, connectionType: null },
        }),
      ),
    );
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Connect DisputeDesk' }),
    );
    expect(backend.requests.map((r) => r.path)).toEqual(['/app/v1/status']);
    // The banner's Connect button goes to the backend's install link.
    const banner = wrapper.find(Banner, { title: 'Connect DisputeDesk' });
    expect(buttonInProp(banner, 'actions', 'Connect').href).toBe(
      'http://127.0.0.1:3000/oauth/install?mode=test',
    );
  });

  it('shows a pending install as waiting, with no Connect button', async () => {
    backend.on(
      'GET /app/v1/status',
      ok(statusFixture({ connection: { status: 'pending', connectedAt: null } })),
    );
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Finishing the install' }),
    );
    expect(wrapper).not.toContainComponent(Banner, { title: 'Connect DisputeDesk' });
    expect(wrapper).not.toContainComponent(Button);
  });

  it('shows a failed read and recovers on retry', async () => {
    let calls = 0;
    backend.on('GET /app/v1/status', () =>
      ++calls === 1
        ? fail(503, 'storage_unavailable', 'A backing service is unavailable; retry later.')
        : ok(statusFixture()),
    );
    backend.on('GET /app/v1/summary', ok(summaryFixture()));
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, {
        type: 'critical',
        description: 'A backing service is unavailable; retry later.',
      }),
    );
    pressInProp(wrapper, wrapper.find(Banner, { type: 'critical' }), 'actions', 'Try again');
    await eventually(() => expect(wrapper).toContainText('Connected · test mode'));
  });
});
