// The dispute panel on a payment's page, in each state, against a real HTTP stand-in backend.
import {
  Badge,
  Banner,
  Link,
  ListItem,
  PropertyListItem,
  Spinner,
} from '@stripe/ui-extension-sdk/ui';
import DisputePanel from '../src/views/DisputePanel';
import { stubBackendPerFile } from './support/backend';
import { disputeFixture, fail, ok, paymentFixture } from './support/fixtures';
import { buttonInProp, pressInProp, renderView } from './support/render-view';

const PAYMENT = { id: 'pi_1Test', object: 'payment_intent' };
const ROUTE = 'GET /app/v1/payments/pi_1Test/disputes';
const backend = stubBackendPerFile();

describe('DisputePanel', () => {
  it('shows a spinner while the disputes load', async () => {
    backend.on(ROUTE, 'hang');
    const { wrapper, update } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await update();
    expect(wrapper).toContainComponent(Spinner);
    expect(wrapper).toContainText("Loading this payment's disputes");
  });

  it('shows each dispute: badges, reason and meaning, amount, urgent deadline, timeline, order, link', async () => {
    backend.on(ROUTE, ok(paymentFixture()));
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() => expect(wrapper).toContainText('$42.00'));
    // The status badge itself says Open (urgent), the type badge Chargeback.
    const badges = wrapper.findAll(Badge).map((b) => [b.props.type, b.text]);
    expect(badges).toEqual([
      ['urgent', 'Open'],
      ['neutral', 'Chargeback'],
    ]);
    expect(wrapper).toContainText('Fraud · network code 10.4');
    expect(wrapper).toContainText('card-absent environment');
    const due = wrapper.find(Banner, { type: 'critical', title: 'Respond soon' })!;
    expect(String(due.props.description)).toMatch(/^Respond within 1 day 5 hours \(by /);
    expect(wrapper).toContainComponent(PropertyListItem, { label: 'Order', value: 'ORD-77' });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Stripe status',
      value: 'Needs response',
    });
    expect(wrapper).toContainComponent(ListItem, { title: 'Needs response → Open' });
    // Already on the payment's page: no link away, and never an absolute URL in a new tab.
    expect(wrapper).not.toContainComponent(Link);
    // The request named the page's payment and carried the signature and identity.
    const req = backend.requests.find((r) => r.path === '/app/v1/payments/pi_1Test/disputes')!;
    expect(req.headers['stripe-signature']).toMatch(/^t=1700000000,v1=[0-9]{64}$/);
    expect(req.query).toMatchObject({ user_id: 'usr_1234', account_id: 'acct_1234', mode: 'test' });
  });

  it('says when the issuer allows no response, and shows early fraud warnings', async () => {
    backend.on(
      ROUTE,
      ok(
        paymentFixture({
          disputes: [disputeFixture({ challengeRequiredBy: null })],
          earlyFraudWarnings: [
            {
              id: 'issfr_1',
              fraudType: 'made_with_stolen_card',
              actionable: true,
              chargeId: 'ch_1Test',
              paymentIntentId: 'pi_1Test',
              createdAt: new Date().toISOString(),
            },
          ],
        }),
      ),
    );
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, {
        title: 'No response possible',
        description: 'The issuer allows no response to this dispute.',
      }),
    );
    expect(wrapper).toContainComponent(Badge, { type: 'warning' });
    expect(wrapper).toContainComponent(Banner, {
      title: 'Early fraud warning: Made with stolen card',
    });
  });

  it('shows the subscription a payment paid, and what its cancellation timing means', async () => {
    const subscription = {
      id: 'sub_1',
      status: 'canceled',
      product: 'Gift box club',
      unitAmount: 2900,
      interval: 'month',
      startedAt: '2026-08-23T08:00:00.000Z',
      cancelAtPeriodEnd: true,
      cancelAt: null,
      canceledAt: '2026-10-01T08:00:00.000Z',
      endedAt: '2026-10-23T08:00:00.000Z',
      cancellationReason: 'cancellation_requested',
      cancellationFeedback: 'too_expensive',
      currentPeriodStart: '2026-09-23T08:00:00.000Z',
      currentPeriodEnd: '2026-10-23T08:00:00.000Z',
      trialEnd: null,
      canceledBeforePayment: true,
    };
    const billing = {
      invoice: {
        id: 'in_1',
        number: 'GIFT-0002',
        status: 'paid',
        billingReason: 'subscription_cycle',
        periodStart: '2026-09-23T08:00:00.000Z',
        periodEnd: '2026-10-23T08:00:00.000Z',
        amountPaid: 2900,
        currency: 'USD',
      },
      subscription,
      checkoutSessionId: null,
    };
    backend.on(ROUTE, ok(paymentFixture({ billing })));
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() => expect(wrapper).toContainText('Subscription: Gift box club'));
    expect(wrapper).toContainComponent(Badge, { type: 'negative' });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Invoice',
      value: 'GIFT-0002 · $29.00 paid · Subscription cycle',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Service period',
      value: 'Sep 23, 2026 – Oct 23, 2026',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Price',
      value: '$29.00 every month',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Canceled on',
      value: 'Oct 1, 2026',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Customer’s reason',
      value: 'Too expensive',
    });
    expect(wrapper).toContainComponent(Banner, {
      type: 'caution',
      title: 'Canceled before this payment',
    });

    backend.on(
      ROUTE,
      ok(
        paymentFixture({
          billing: { ...billing, subscription: { ...subscription, canceledBeforePayment: false } },
        }),
      ),
    );
    const after = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await after.eventually(() =>
      expect(after.wrapper).toContainComponent(Banner, { title: 'Canceled after this payment' }),
    );
  });

  it('shows closed disputes without a countdown', async () => {
    backend.on(
      ROUTE,
      ok(paymentFixture({ disputes: [disputeFixture({ status: 'WON', stripeStatus: 'won' })] })),
    );
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() => expect(wrapper).toContainComponent(Badge, { type: 'positive' }));
    expect(wrapper).not.toContainComponent(Banner);
  });

  it('has an empty state', async () => {
    backend.on(ROUTE, ok(paymentFixture({ disputes: [] })));
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() => expect(wrapper).toContainText('No disputes on this payment.'));
  });

  it('explains a payment DisputeDesk has not seen yet', async () => {
    backend.on(ROUTE, fail(404, 'not_found', 'no record', { reason: 'unknown_payment' }));
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() => expect(wrapper).toContainText('has no record of this payment yet'));
  });

  it('shows the error with a retry that reloads', async () => {
    let calls = 0;
    backend.on(ROUTE, () =>
      ++calls === 1
        ? fail(500, 'internal', 'Something went wrong on our side.')
        : ok(paymentFixture()),
    );
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, {
        type: 'critical',
        description: 'Something went wrong on our side.',
      }),
    );
    pressInProp(wrapper, wrapper.find(Banner, { type: 'critical' }), 'actions', 'Try again');
    await eventually(() => expect(wrapper).toContainText('$42.00'));
    expect(calls).toBe(2);
  });

  it('asks to connect when the account is not connected', async () => {
    backend.on(ROUTE, fail(404, 'not_found', 'not connected', { reason: 'not_connected' }));
    const { wrapper, eventually } = renderView(DisputePanel, backend, { objectContext: PAYMENT });
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, { title: 'Connect DisputeDesk' }),
    );
    // Its Connect button starts the install for this mode on the backend the manifest names.
    const banner = wrapper.find(Banner, { title: 'Connect DisputeDesk' });
    expect(buttonInProp(banner, 'actions', 'Connect').href).toBe(
      `${backend.url}/oauth/install?mode=test`,
    );
  });

  it('reads nothing on a page that is not a payment', async () => {
    const { wrapper, update } = renderView(DisputePanel, backend, {
      objectContext: { id: 'cus_1', object: 'customer' },
    });
    await update();
    expect(wrapper).toContainText('Open a payment to see its disputes.');
    expect(backend.requests).toHaveLength(0);
  });
});
