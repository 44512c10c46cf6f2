// Responding from the dispute panel: the Respond view shows completeness, what is missing and
// each prefilled field's source; edits go to the backend only on Save (then the draft is saved at
// Stripe); Submit and Accept need the dispute id typed; a draft changed elsewhere reloads.
import { Banner, Button, FocusView, TextArea, TextField } from '@stripe/ui-extension-sdk/ui';
import DisputePanel from '../src/views/DisputePanel';
import { stubBackendPerFile } from './support/backend';
import { draftFixture, fail, ok, paymentFixture } from './support/fixtures';
import { buttonLabelled, pressInProp, renderView } from './support/render-view';

const PAYMENT = { id: 'pi_1Test', object: 'payment_intent' };
const backend = stubBackendPerFile();
const EVIDENCE = '/app/v1/disputes/du_1Test/evidence';

async function openRespond() {
  backend
    .on('GET /app/v1/payments/pi_1Test/disputes', ok(paymentFixture()))
    .on(`GET ${EVIDENCE}`, ok(draftFixture()));
  const view = renderView(DisputePanel, backend, { objectContext: PAYMENT });
  await view.eventually(() => expect(view.wrapper).toContainComponent(Button));
  view.wrapper.act(() => buttonLabelled(view.wrapper, 'Respond').props.onPress!({} as never));
  await view.eventually(() => expect(view.wrapper).toContainText('Evidence 44 % complete'));
  return view;
}

const textArea = (w: Awaited<ReturnType<typeof openRespond>>['wrapper'], label: string) =>
  w.find(TextArea, { label })!;

describe('Respond', () => {
  it('shows completeness, what is missing, CE3.0 and where each prefilled value came from', async () => {
    const { wrapper } = await openRespond();
    expect(wrapper).toContainComponent(FocusView, { title: 'Respond to du_1Test' });
    expect(wrapper).toContainText('Required and still empty: Customer name, Billing address.');
    expect(wrapper).toContainText('fewer than two earlier undisputed payments');
    expect(textArea(wrapper, 'Product description (required)').props).toMatchObject({
      defaultValue: 'Trail shoes',
      description: 'From payment_intent.description',
    });
    expect(textArea(wrapper, 'Customer name (required)').props.description).toBe(
      'Empty: nothing stored to prefill it.',
    );
  });

  it('saves the edits, then the draft at Stripe, in one action', async () => {
    const { wrapper, eventually } = await openRespond();
    backend
      .on(`POST ${EVIDENCE}`, ok(draftFixture({ version: 4 })))
      .on(`POST ${EVIDENCE}/save`, ok(draftFixture({ version: 4, state: 'saved' })));
    wrapper.act(() =>
      textArea(wrapper, 'Customer name (required)').props.onChange!({
        target: { value: 'Jenny Rosen' },
      } as never),
    );
    pressInProp(wrapper, wrapper.find(FocusView), 'primaryAction', 'Save draft');
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Saved to Stripe — not submitted yet.' }),
    );
    const edit = backend.requests.find((r) => r.method === 'POST' && r.path === EVIDENCE)!;
    expect(edit.body).toMatchObject({ version: 3, fields: { customer_name: 'Jenny Rosen' } });
    const save = backend.requests.find((r) => r.path === `${EVIDENCE}/save`)!;
    expect(save.body).toMatchObject({ version: 4 });
  });

  it('submits only once the dispute id is typed', async () => {
    const { wrapper, eventually } = await openRespond();
    backend.on(
      `POST ${EVIDENCE}/submit`,
      ok(draftFixture({ state: 'submitted', status: 'CHALLENGED' })),
    );
    wrapper.act(() => buttonLabelled(wrapper, 'Submit evidence…').props.onPress!({} as never));
    expect(wrapper).toContainComponent(Banner, { title: 'Submit this evidence?' });
    expect(buttonLabelled(wrapper, 'Submit evidence').props.disabled).toBe(true);
    wrapper.act(() =>
      wrapper.find(TextField, { label: 'Type du_1Test to confirm' })!.props.onChange!({
        target: { value: 'du_1Test' },
      } as never),
    );
    expect(buttonLabelled(wrapper, 'Submit evidence').props.disabled).toBe(false);
    wrapper.act(() => buttonLabelled(wrapper, 'Submit evidence').props.onPress!({} as never));
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Evidence submitted to the issuer.' }),
    );
    const submit = backend.requests.find((r) => r.path === `${EVIDENCE}/submit`)!;
    expect(submit.body).toMatchObject({ version: 3, confirm: 'du_1Test', allowIncomplete: false });
  });

  it('accepts only once confirmed, and says so', async () => {
    const { wrapper, eventually } = await openRespond();
    backend.on(
      'POST /app/v1/disputes/du_1Test/accept',
      ok({ disputeId: 'du_1Test', status: 'ACCEPTED' }),
    );
    wrapper.act(() => buttonLabelled(wrapper, 'Accept dispute…').props.onPress!({} as never));
    expect(wrapper).toContainComponent(Banner, { title: 'Accept this dispute?', type: 'critical' });
    wrapper.act(() =>
      wrapper.find(TextField, { label: 'Type du_1Test to confirm' })!.props.onChange!({
        target: { value: 'du_1Test' },
      } as never),
    );
    wrapper.act(() => buttonLabelled(wrapper, 'Accept dispute').props.onPress!({} as never));
    await eventually(() =>
      expect(backend.requests.some((r) => r.path === '/app/v1/disputes/du_1Test/accept')).toBe(
        true,
      ),
    );
    const accept = backend.requests.find((r) => r.path === '/app/v1/disputes/du_1Test/accept')!;
    expect(accept.body).toMatchObject({ confirm: 'du_1Test' });
  });

  it('reloads a draft someone else changed, and says so', async () => {
    const { wrapper, eventually } = await openRespond();
    const gets = () =>
      backend.requests.filter((r) => r.method === 'GET' && r.path === EVIDENCE).length;
    const before = gets();
    backend.on(
      `POST ${EVIDENCE}`,
      fail(409, 'conflict', 'The draft changed since version 3 (now 5)', {
        reason: 'stale_version',
        currentVersion: 5,
      }),
    );
    wrapper.act(() =>
      textArea(wrapper, 'Customer name (required)').props.onChange!({
        target: { value: 'X' },
      } as never),
    );
    pressInProp(wrapper, wrapper.find(FocusView), 'primaryAction', 'Save draft');
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Someone else changed this draft' }),
    );
    await eventually(() => expect(gets()).toBeGreaterThan(before));
  });
});
