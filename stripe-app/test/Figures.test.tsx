// The figures in the views: the overview's money per currency (partial while the import runs)
// and this month's network ratios with their levels; the Respond view's fight-or-accept advice.
import { Banner, Button, PropertyListItem } from '@stripe/ui-extension-sdk/ui';
import DisputePanel from '../src/views/DisputePanel';
import Overview from '../src/views/Overview';
import { stubBackendPerFile } from './support/backend';
import {
  draftFixture,
  ok,
  paymentFixture,
  statusFixture,
  summaryFixture,
} from './support/fixtures';
import { buttonLabelled, renderView } from './support/render-view';

const backend = stubBackendPerFile();
const month = new Date().toISOString().slice(0, 7);

describe('figures', () => {
  it('the overview shows money per currency, partial, and the network ratios with levels', async () => {
    backend
      .on('GET /app/v1/status', ok(statusFixture()))
      .on('GET /app/v1/summary', ok(summaryFixture()))
      .on(
        'GET /app/v1/analytics/outcomes',
        ok({
          partial: true,
          currencies: [
            {
              currency: 'USD',
              disputed: { count: 3, amount: 45000 },
              won: { count: 2, amount: 15000 },
              lost: { count: 1, amount: 20000 },
              ledger: { netRecovered: 10500 },
            },
          ],
        }),
      )
      .on(
        'GET /app/v1/analytics/ratios',
        ok({
          data: [
            {
              network: 'mastercard',
              program: 'ECM (excessive chargeback merchant)',
              month,
              numerator: 100,
              denominator: 1000,
              ratio: 0.1,
              projected: { ratio: 0.1 },
              threshold: 0.015,
              minimumCount: 100,
              level: 'over',
            },
          ],
        }),
      );
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() => expect(wrapper).toContainText('Money (90 days) · partial'));
    expect(wrapper).toContainText('The history import is still running');
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'USD',
      value: '$450.00 disputed · $150.00 won · $200.00 lost · $105.00 recovered net of fees',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'ECM (excessive chargeback merchant)',
      value: 'Over · 10.00 % (100 of 1000) · projected 10.00 % · threshold 1.50 % with 100',
    });
    expect(wrapper).toContainComponent(Banner, { type: 'critical' });
  });

  it('the Respond view shows the fight-or-accept advice and why', async () => {
    backend
      .on('GET /app/v1/payments/pi_1Test/disputes', ok(paymentFixture()))
      .on('GET /app/v1/disputes/du_1Test/evidence', ok(draftFixture()))
      .on(
        'GET /app/v1/disputes/du_1Test/recommendation',
        ok({
          recommendation: 'accept',
          winProbability: 0.12,
          explanation: '12 % chance of winning. Accepting costs less.',
        }),
      );
    const { wrapper, eventually } = renderView(DisputePanel, backend, {
      objectContext: { id: 'pi_1Test', object: 'payment_intent' },
    });
    await eventually(() => expect(wrapper).toContainComponent(Button));
    wrapper.act(() => buttonLabelled(wrapper, 'Respond').props.onPress!({} as never));
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, {
        title: 'Recommended: accept',
        description: '12 % chance of winning. Accepting costs less.',
      }),
    );
  });
});
