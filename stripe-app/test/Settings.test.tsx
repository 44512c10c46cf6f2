// The settings page: connecting (the install link; a restricted key only on the backend's page), notification destinations (add with the secret shown once, test, rotate, disable,
// remove) and disconnecting with confirmation — each action a real request to the stand-in. As
// Stripe's guidelines ask: the shown-once secret copied with one press and dismissable, removal
// confirmed first, inputs uncontrolled.
import { Banner, Button, Link, Spinner, Switch, TextField } from '@stripe/ui-extension-sdk/ui';
import Settings from '../src/views/Settings';
import { stubBackendPerFile } from './support/backend';
import { destinationFixture, fail, ok, statusFixture } from './support/fixtures';
import { clipboardWriteText } from '@stripe/ui-extension-sdk/utils';
import { buttonLabelled, pressInProp, renderView } from './support/render-view';

const backend = stubBackendPerFile();

const notConnected = statusFixture({
  connection: { status: 'not_connected', connectedAt: null, connectionType: null },
});

describe('Settings', () => {
  it('loads, and shows a failed read', async () => {
    backend.on('GET /app/v1/status', 'hang');
    const loading = renderView(Settings, backend);
    await loading.update();
    expect(loading.wrapper).toContainComponent(Spinner);
    backend.on('GET /app/v1/status', fail(500, 'internal', 'Something went wrong on our side.'));
    const failed = renderView(Settings, backend);
    await failed.eventually(() =>
      expect(failed.wrapper).toContainComponent(Banner, {
        description: 'Something went wrong on our side.',
      }),
    );
  });

  it('offers the install link, and the backend’s page for a restricted key — no key field in the app', async () => {
    backend.on('GET /app/v1/status', ok(notConnected));
    const { wrapper, eventually } = renderView(Settings, backend);
    await eventually(() => expect(wrapper).toContainText('Not connected · test mode'));
    expect(wrapper).toContainComponent(Button, {
      href: notConnected.connection.installUrl,
      type: 'primary',
    });
    expect(wrapper).toContainComponent(Link, { href: `${backend.url}/connect/api-key` });
    expect(wrapper).not.toContainComponent(TextField, { label: 'Restricted key (rk_…)' });
  });

  it('adds a destination and shows its secret once, then tests, rotates, disables and removes it', async () => {
    const dest = destinationFixture();
    let destinations = [] as (typeof dest)[];
    backend.on('GET /app/v1/status', ok(statusFixture()));
    backend.on('GET /app/v1/notification-destinations', () => ok({ data: destinations }));
    backend.on('POST /app/v1/notification-destinations', (r) => {
      destinations = [{ ...dest, url: String(r.body?.url) }];
      return {
        status: 201,
        body: {
          id: dest.id,
          url: r.body?.url,
          enabled: true,
          signingSecret: 'ddwhsec_shown_once',
          note: 'The signing secret is shown once; store it now.',
        },
      };
    });
    backend.on(
      `POST /app/v1/notification-destinations/${dest.id}/test`,
      ok({ delivered: false, httpStatus: 500, error: 'answered 500', durationMs: 12 }),
    );
    backend.on(
      `POST /app/v1/notification-destinations/${dest.id}/rotate-secret`,
      ok({
        id: dest.id,
        signingSecret: 'ddwhsec_rotated',
        previousValidFor: '24h',
        note: 'The old one signs X-Signature-Secondary for 24 h.',
      }),
    );
    backend.on(`POST /app/v1/notification-destinations/${dest.id}`, (r) => {
      destinations = [{ ...destinations[0]!, enabled: Boolean(r.body?.enabled) }];
      return ok(destinations[0]);
    });
    backend.on(`DELETE /app/v1/notification-destinations/${dest.id}`, () => {
      destinations = [];
      return ok({ id: dest.id, deleted: true });
    });

    const { wrapper, eventually } = renderView(Settings, backend);
    await eventually(() => expect(wrapper).toContainText('No destinations yet.'));
    wrapper
      .find(TextField, { label: 'New destination URL' })!
      .trigger('onChange', { target: { value: 'https://merchant.example/hooks/disputes' } });
    buttonLabelled(wrapper, 'Add destination').trigger('onPress');
    await eventually(() =>
      expect(wrapper).toContainText('https://merchant.example/hooks/disputes'),
    );
    const secret = wrapper.find(Banner, {
      title: 'Signing secret for https://merchant.example/hooks/disputes',
    })!;
    expect(String(secret.props.description)).toContain('ddwhsec_shown_once');
    // Copied with one press; then put away for good.
    pressInProp(wrapper, secret, 'actions', 'Copy secret');
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Signing secret copied.' }),
    );
    expect(clipboardWriteText).toHaveBeenCalledWith('ddwhsec_shown_once');
    wrapper.act(() => secret.props.onDismiss!());
    expect(wrapper).not.toContainText('ddwhsec_shown_once');

    buttonLabelled(wrapper, 'Send test').trigger('onPress');
    await eventually(() => expect(wrapper).toContainText('Not delivered: answered 500'));

    buttonLabelled(wrapper, 'Rotate secret').trigger('onPress');
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'New signing secret' }),
    );
    expect(
      String(wrapper.find(Banner, { title: 'New signing secret' })!.props.description),
    ).toContain('ddwhsec_rotated');

    wrapper.find(Switch, { label: 'Enabled' })!.trigger('onChange');
    await eventually(() => expect(wrapper).toContainComponent(Switch, { checked: false }));
    expect(wrapper).toContainText('Disabled · secret');

    // Removing asks first: "Keep it" keeps it, nothing sent.
    buttonLabelled(wrapper, 'Remove').trigger('onPress');
    const ask = () =>
      wrapper.find(Banner, { title: 'Remove https://merchant.example/hooks/disputes?' });
    expect(ask()).not.toBeNull();
    pressInProp(wrapper, ask(), 'actions', 'Keep it');
    expect(ask()).toBeNull();
    expect(backend.requests.some((r) => r.method === 'DELETE')).toBe(false);
    buttonLabelled(wrapper, 'Remove').trigger('onPress');
    pressInProp(wrapper, ask(), 'actions', 'Remove destination');
    await eventually(() => expect(wrapper).toContainText('No destinations yet.'));
    expect(backend.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /app/v1/notification-destinations',
        `POST /app/v1/notification-destinations/${dest.id}/test`,
        `POST /app/v1/notification-destinations/${dest.id}/rotate-secret`,
        `POST /app/v1/notification-destinations/${dest.id}`,
        `DELETE /app/v1/notification-destinations/${dest.id}`,
      ]),
    );
  });

  it('disconnects only once the account id is typed back', async () => {
    let status = statusFixture();
    backend.on('GET /app/v1/status', () => ok(status));
    backend.on('GET /app/v1/notification-destinations', ok({ data: [] }));
    backend.on('POST /app/v1/connection/disconnect', (r) => {
      status = statusFixture({
        connection: {
          status: 'disconnected',
          statusReason: 'disconnected: by usr_1234 from the app',
        },
      });
      return ok({
        tenantId: 't',
        status: 'disconnected',
        revocation: { done: true, detail: 'the app was deauthorized on the account' },
        confirm: r.body?.confirm,
      });
    });
    const { wrapper, eventually } = renderView(Settings, backend);
    await eventually(() => expect(wrapper).toContainText('Connected · test mode'));
    const field = () => wrapper.find(TextField, { label: 'Account id' })!;
    field().trigger('onChange', { target: { value: 'acct_wrong' } });
    await eventually(() =>
      expect(buttonLabelled(wrapper, 'Disconnect DisputeDesk').props.disabled).toBe(true),
    );
    field().trigger('onChange', { target: { value: 'acct_1234' } });
    await eventually(() =>
      expect(buttonLabelled(wrapper, 'Disconnect DisputeDesk').props.disabled).toBe(false),
    );
    buttonLabelled(wrapper, 'Disconnect DisputeDesk').trigger('onPress');
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, {
        title: 'DisputeDesk is disconnected from this account.',
        description: 'the app was deauthorized on the account',
      }),
    );
    await eventually(() => expect(wrapper).toContainText('Disconnected · test mode'));
    expect(
      backend.requests.find((r) => r.path === '/app/v1/connection/disconnect')!.body,
    ).toMatchObject({ confirm: 'acct_1234' });
  });
});
