// Automatic submission in the settings: shown off by default, turned on with its hours and
// threshold in one Save action (a real request to the stand-in), and a refusal shown.
import { Banner, Switch, TextField } from '@stripe/ui-extension-sdk/ui';
import Settings from '../src/views/Settings';
import { stubBackendPerFile } from './support/backend';
import { fail, ok, statusFixture } from './support/fixtures';
import { buttonLabelled, renderView } from './support/render-view';

const backend = stubBackendPerFile();
const SETTINGS = { autoSubmit: false, hoursBefore: 24, minCompleteness: 80, updatedBy: null };

async function open() {
  backend
    .on('GET /app/v1/status', ok(statusFixture()))
    .on('GET /app/v1/notification-destinations', ok({ data: [] }))
    .on('GET /app/v1/settings/evidence', ok(SETTINGS));
  const view = renderView(Settings, backend);
  await view.eventually(() =>
    expect(view.wrapper).toContainComponent(Switch, {
      label: 'Submit complete evidence automatically',
    }),
  );
  return view;
}

describe('automatic submission settings', () => {
  it('is off by default and is turned on with its hours and threshold in one save', async () => {
    const { wrapper, eventually } = await open();
    expect(wrapper).toContainComponent(Switch, { checked: false });
    backend.on(
      'POST /app/v1/settings/evidence',
      ok({ ...SETTINGS, autoSubmit: true, hoursBefore: 12 }),
    );
    wrapper.act(() =>
      wrapper.find(Switch, { label: 'Submit complete evidence automatically' })!.props.onChange!(
        {} as never,
      ),
    );
    wrapper.act(() =>
      wrapper.find(TextField, { label: 'Hours before the deadline' })!.props.onChange!({
        target: { value: '12' },
      } as never),
    );
    wrapper.act(() =>
      buttonLabelled(wrapper, 'Save evidence settings').props.onPress!({} as never),
    );
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Evidence settings saved.' }),
    );
    const saved = backend.requests.find(
      (r) => r.method === 'POST' && r.path === '/app/v1/settings/evidence',
    )!;
    expect(saved.body).toMatchObject({ autoSubmit: true, hoursBefore: 12, minCompleteness: 80 });
  });

  it('shows a refusal', async () => {
    const { wrapper, eventually } = await open();
    backend.on('POST /app/v1/settings/evidence', fail(400, 'bad_request', 'Invalid body.'));
    wrapper.act(() =>
      buttonLabelled(wrapper, 'Save evidence settings').props.onPress!({} as never),
    );
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Invalid body.', type: 'critical' }),
    );
  });
});
