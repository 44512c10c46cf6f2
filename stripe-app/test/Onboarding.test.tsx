// The first run (post-install action `onboarding`): each state of connected → importing history →
// ready, with precise task statuses, the way to connect, a failed import, and the view moving on
// by itself as the import progresses.
import { Banner, Button, OnboardingView } from '@stripe/ui-extension-sdk/ui';
import Onboarding from '../src/views/Onboarding';
import { stubBackendPerFile } from './support/backend';
import { fail, ok, statusFixture } from './support/fixtures';
import { renderView } from './support/render-view';

const backend = stubBackendPerFile();
const ROUTE = 'GET /app/v1/status';
const view = (w: ReturnType<typeof renderView>['wrapper']) => w.find(OnboardingView)!.props;

function withImport(status: string, percent: number, error: string | null = null) {
  const s = statusFixture();
  return statusFixture({ backfill: { ...s.backfill, status, percent, error } });
}

describe('Onboarding', () => {
  it('is pending while the status loads', async () => {
    backend.on(ROUTE, 'hang');
    const { wrapper, update } = renderView(Onboarding, backend);
    await update();
    expect(view(wrapper)).toMatchObject({ pending: true, completed: false });
  });

  it('offers to connect an account that is not connected', async () => {
    backend.on(
      ROUTE,
      ok(statusFixture({ connection: { status: 'not_connected', connectedAt: null } })),
    );
    const { wrapper, eventually } = renderView(Onboarding, backend);
    await eventually(() => expect(view(wrapper).title).toBe('Connect DisputeDesk'));
    expect(view(wrapper).tasks).toEqual([
      { title: 'Connect your Stripe account', status: 'not-started' },
      { title: 'Import history', status: 'not-started' },
      { title: 'Answer disputes from the payment page', status: 'not-started' },
    ]);
    expect(wrapper).toContainComponent(Button, {
      href: 'http://127.0.0.1:3000/oauth/install?mode=test',
    });
  });

  it('waits, without offering to connect, while the install finishes', async () => {
    backend.on(ROUTE, ok(statusFixture({ connection: { status: 'pending', connectedAt: null } })));
    const { wrapper, eventually } = renderView(Onboarding, backend);
    await eventually(() => expect(view(wrapper).title).toBe('Finishing the install'));
    expect(view(wrapper).tasks[0]).toEqual({
      title: 'Connect your Stripe account',
      status: 'in-progress',
    });
    expect(wrapper).not.toContainComponent(Button);
  });

  it('shows the import’s progress, then moves on by itself when it finishes', async () => {
    backend.on(ROUTE, ok(withImport('running', 40)));
    const { wrapper, eventually } = renderView(Onboarding, backend);
    await eventually(() => expect(view(wrapper).title).toBe('Importing your dispute history'));
    expect(view(wrapper).description).toBe(
      '40 % imported (12,000 objects). Figures stay marked partial until it finishes.',
    );
    expect(view(wrapper).tasks).toEqual([
      { title: 'Connect your Stripe account', status: 'complete' },
      { title: 'Import history (40 %)', status: 'in-progress' },
      { title: 'Answer disputes from the payment page', status: 'not-started' },
    ]);
    expect(view(wrapper).completed).toBe(false);
    // The backend finishes the import; the view reads the status again on its own.
    backend.on(ROUTE, ok(withImport('succeeded', 100)));
    await eventually(() => expect(view(wrapper).completed).toBe(true), 8000);
    expect(view(wrapper).title).toBe('DisputeDesk is ready');
    expect(view(wrapper).tasks.map((t) => t.status)).toEqual(['complete', 'complete', 'complete']);
  }, 15000);

  it('says when the import failed', async () => {
    backend.on(ROUTE, ok(withImport('failed', 60, 'Stripe refused the list (403).')));
    const { wrapper, eventually } = renderView(Onboarding, backend);
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'The history import stopped' }),
    );
    expect(view(wrapper).tasks[1]).toEqual({ title: 'Import history (60 %)', status: 'blocked' });
  });

  it('shows a failed read with a retry', async () => {
    backend.on(ROUTE, fail(503, 'storage_unavailable', 'Try again shortly.'));
    const { wrapper, eventually } = renderView(Onboarding, backend);
    await eventually(() => expect(view(wrapper).error).toBeTruthy());
  });
});
