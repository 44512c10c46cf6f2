// The figures in the views: the overview's money per currency (partial while the import runs),
// its charts (money per currency, win rate by reason, ratios against thresholds) and this month's
// network ratios with their levels; the fight-or-accept advice with its inputs on the dispute
// panel and in the Respond view.
import { BarChart, Banner, LineChart, PropertyListItem } from '@stripe/ui-extension-sdk/ui';
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
              ledger: {
                withdrawn: 35000,
                reinstated: 15000,
                disputeFees: 3000,
                otherFees: 1500,
                netRecovered: 10500,
              },
            },
            {
              currency: 'JPY',
              disputed: { count: 1, amount: 5000 },
              won: { count: 0, amount: 0 },
              lost: { count: 1, amount: 5000 },
              ledger: {
                withdrawn: 5000,
                reinstated: 0,
                disputeFees: 1500,
                otherFees: 0,
                netRecovered: -1500,
              },
            },
          ],
          winRates: {
            reason: [
              { key: 'FRAUD', won: 2, lost: 1, rate: 0.667 },
              { key: 'PRODUCT_NOT_RECEIVED', won: 0, lost: 0, rate: null },
            ],
          },
        }),
      )
      .on(
        'GET /app/v1/analytics/ratios',
        ok({
          data: [
            {
              key: 'mastercard-ecm',
              network: 'mastercard',
              program: 'ECM (excessive chargeback merchant)',
              unit: 'count',
              currency: null,
              month: '2026-10',
              numerator: 5,
              denominator: 1000,
              ratio: 0.005,
              projected: null,
              threshold: 0.015,
              minimumCount: 100,
              level: 'ok',
            },
            {
              key: 'mastercard-ecm',
              network: 'mastercard',
              program: 'ECM (excessive chargeback merchant)',
              unit: 'count',
              currency: null,
              month,
              numerator: 100,
              denominator: 1000,
              ratio: 0.1,
              projected: { ratio: 0.1 },
              threshold: 0.015,
              minimumCount: 100,
              level: 'over',
            },
            {
              key: 'mastercard-efm-EUR',
              network: 'mastercard',
              program: 'EFM (excessive fraud merchant)',
              unit: 'amount',
              currency: 'EUR',
              month,
              numerator: 10000,
              denominator: 100000,
              ratio: 0.1,
              projected: { ratio: 0.1 },
              threshold: 0.005,
              minimumCount: null,
              level: 'warning',
            },
          ],
          partial: true,
        }),
      );
    const { wrapper, eventually } = renderView(Overview, backend);
    await eventually(() => expect(wrapper).toContainText('Money (90 days) · partial'));
    expect(wrapper).toContainText('The history import is still running');
    expect(wrapper).toContainText(`Card network monitoring (${month}) · partial`);
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'USD',
      value: '$450.00 disputed · $150.00 won · $200.00 lost · $105.00 recovered net of fees',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'ECM (excessive chargeback merchant)',
      value: 'Over · 10.00 % (100 of 1,000) · projected 10.00 % · threshold 1.50 %, at least 100',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'EFM (excessive fraud merchant), EUR',
      value:
        'Heading over · 10.00 % (€100.00 of €1,000.00) · projected 10.00 % · threshold 0.50 %, its USD minimum not compared (no exchange rate)',
    });
    expect(wrapper).toContainComponent(Banner, { type: 'critical' });
    // One money chart per currency, in its own major units (JPY has none below the yen).
    expect(wrapper).toContainComponent(BarChart, {
      data: [
        { kind: 'Withdrawn', amount: 350 },
        { kind: 'Reinstated', amount: 150 },
        { kind: 'Fees', amount: 45 },
      ],
    });
    expect(wrapper).toContainComponent(BarChart, {
      data: [
        { kind: 'Withdrawn', amount: 5000 },
        { kind: 'Reinstated', amount: 0 },
        { kind: 'Fees', amount: 1500 },
      ],
    });
    // Win rates only where disputes were decided.
    expect(wrapper).toContainComponent(BarChart, {
      data: [{ reason: 'fraud', 'win rate (%)': 66.7 }],
    });
    expect(wrapper).toContainComponent(LineChart, {
      data: [
        { month: '2026-10', series: 'Mastercard ECM ratio', percent: 0.5 },
        { month: '2026-10', series: 'Mastercard ECM threshold', percent: 1.5 },
        { month, series: 'Mastercard ECM ratio', percent: 10 },
        { month, series: 'Mastercard ECM threshold', percent: 1.5 },
        { month, series: 'Mastercard EFM EUR ratio', percent: 10 },
        { month, series: 'Mastercard EFM EUR threshold', percent: 0.5 },
      ],
    });
  });

  it('the panel and the Respond view show the fight-or-accept advice, its inputs and why', async () => {
    backend
      .on('GET /app/v1/payments/pi_1Test/disputes', ok(paymentFixture()))
      .on('GET /app/v1/disputes/du_1Test/evidence', ok(draftFixture()))
      .on(
        'GET /app/v1/disputes/du_1Test/recommendation',
        ok({
          disputeId: 'du_1Test',
          recommendation: 'accept',
          winProbability: 0.12,
          expectedValue: { fight: -816, accept: 0, currency: 'USD' },
          inputs: {
            reason: 'FRAUD',
            cardBrand: 'visa',
            amount: 4200,
            tenantHistory: { won: 1, lost: 9 },
            allTenants: { won: 30, lost: 70, rate: 0.3 },
            evidence: {
              completeness: 50,
              missingRequired: ['customer_name'],
              factor: 0.55,
            },
            counterFee: 1500,
          },
          explanation: '12 % chance of winning. Accepting costs less.',
        }),
      );
    const { wrapper, eventually } = renderView(DisputePanel, backend, {
      objectContext: { id: 'pi_1Test', object: 'payment_intent' },
    });
    await eventually(() =>
      expect(wrapper).toContainText('Recommended: accept · 12 % chance of winning'),
    );
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Expected value of fighting',
      value: '-$8.16 (accepting: $0.00)',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Your decided disputes like it',
      value: '1 won, 9 lost (fraud, visa)',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'All merchants',
      value: '30 % won (30 of 100)',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Evidence',
      value: '50 % complete; required and empty: customer_name',
    });
    expect(wrapper).toContainComponent(PropertyListItem, {
      label: 'Counter fee if lost',
      value: '$15.00',
    });
    wrapper.act(() => buttonLabelled(wrapper, 'Respond').props.onPress!({} as never));
    await eventually(() =>
      expect(wrapper).toContainComponent(Banner, {
        title: 'Recommended: accept',
        description: '12 % chance of winning. Accepting costs less.',
      }),
    );
  });
});
