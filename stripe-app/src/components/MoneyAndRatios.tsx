// The overview's money and network figures: per currency, what disputes took and what contesting
// brought back (90 days, with a chart per currency — amounts in different currencies never share
// an axis), win rates by reason, and the Visa VAMP / Mastercard ECM ratios of the last three
// months charted against their thresholds, this month's projected to its end — "partial" while
// the history import runs.
import {
  BarChart,
  Banner,
  Box,
  LineChart,
  PropertyList,
  PropertyListItem,
} from '@stripe/ui-extension-sdk/ui';
import type { ApiClient, NetworkRatio, Outcomes } from '../api/client';
import { money, toMajor } from '../format';
import { useAsync } from '../hooks/use-async';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);
/** A short name per program for the chart's series (EFM per currency). */
const short = (r: NetworkRatio) =>
  r.key === 'visa-vamp'
    ? 'Visa VAMP'
    : r.key === 'mastercard-ecm'
      ? 'Mastercard ECM'
      : `Mastercard EFM ${r.currency ?? ''}`.trim();
/** "100 of 1000" payments, or "$600.00 of $2,000.00" for a program counted by amount. */
const of = (r: NetworkRatio, n: number, locale: string) =>
  r.unit === 'amount' && r.currency ? money(n, r.currency, locale) : n.toLocaleString(locale);
const minimum = (r: NetworkRatio, locale: string) =>
  r.minimumCount === null
    ? 'its USD minimum not compared (no exchange rate)'
    : `at least ${of(r, r.minimumCount, locale)}`;

/** The charts' rows (exported for the tests). */
export function chartRows(outcomes: Outcomes, ratios: NetworkRatio[]) {
  return {
    money: outcomes.currencies.map((c) => ({
      currency: c.currency,
      rows: [
        { kind: 'Withdrawn', amount: toMajor(c.ledger.withdrawn, c.currency) },
        { kind: 'Reinstated', amount: toMajor(c.ledger.reinstated, c.currency) },
        { kind: 'Fees', amount: toMajor(c.ledger.disputeFees + c.ledger.otherFees, c.currency) },
      ],
    })),
    winRates: outcomes.winRates.reason
      .filter((r) => r.rate !== null)
      .map((r) => ({
        reason: r.key.toLowerCase().replaceAll('_', ' '),
        'win rate (%)': Math.round((r.rate ?? 0) * 1000) / 10,
      })),
    ratios: ratios.flatMap((r) => [
      {
        month: r.month,
        series: `${short(r)} ratio`,
        percent: r.ratio === null ? 0 : Math.round(r.ratio * 1e5) / 1e3,
      },
      {
        month: r.month,
        series: `${short(r)} threshold`,
        percent: Math.round(r.threshold * 1e5) / 1e3,
      },
    ]),
  };
}

export const MoneyAndRatios = ({ api, locale = 'en-US' }: { api: ApiClient; locale?: string }) => {
  const { data, error } = useAsync(
    async () => ({ outcomes: await api.outcomes(), ratios: await api.ratios() }),
    'money-and-ratios',
  );
  if (error) return <Banner type="critical" title="Dispute figures" description={error.message} />;
  if (!data) return null;
  const month = new Date().toISOString().slice(0, 7);
  const current = data.ratios.data.filter((r) => r.month === month);
  const charts = chartRows(data.outcomes, data.ratios.data);
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Box css={{ font: 'subheading' }}>
        Money (90 days){data.outcomes.partial ? ' · partial' : ''}
      </Box>
      {data.outcomes.partial ? (
        <Box css={{ color: 'secondary' }}>
          The history import is still running: these figures are not final yet.
        </Box>
      ) : null}
      {data.outcomes.currencies.length === 0 ? (
        <Box css={{ color: 'secondary' }}>No disputes opened in the last 90 days.</Box>
      ) : (
        <PropertyList>
          {data.outcomes.currencies.map((c) => (
            <PropertyListItem
              key={c.currency}
              label={c.currency}
              value={`${money(c.disputed.amount, c.currency, locale)} disputed · ${money(c.won.amount, c.currency, locale)} won · ${money(c.lost.amount, c.currency, locale)} lost · ${money(c.ledger.netRecovered, c.currency, locale)} recovered net of fees`}
            />
          ))}
        </PropertyList>
      )}
      {charts.money.map((m) => (
        <Box key={m.currency} css={{ stack: 'y', gap: 'xsmall' }}>
          <Box css={{ color: 'secondary' }}>{`${m.currency}: withdrawn, reinstated and fees`}</Box>
          <BarChart data={m.rows} x="kind" y="amount" color="kind" legend={false} />
        </Box>
      ))}
      {charts.winRates.length > 0 ? (
        <Box css={{ stack: 'y', gap: 'xsmall' }}>
          <Box css={{ color: 'secondary' }}>Win rate by reason (contested and decided)</Box>
          <BarChart data={charts.winRates} x="reason" y="win rate (%)" />
        </Box>
      ) : null}
      <Box css={{ font: 'subheading' }}>
        Card network monitoring ({month}){data.ratios.partial ? ' · partial' : ''}
      </Box>
      {current.some((r) => r.level !== 'ok') ? (
        <Banner
          type={current.some((r) => r.level === 'over') ? 'critical' : 'caution'}
          title="A card network's monitoring threshold is near or crossed"
          description="Fines follow if the month ends over it: answer and prevent disputes now (refunds on early fraud warnings can help)."
        />
      ) : null}
      <PropertyList>
        {current.map((r) => (
          <PropertyListItem
            key={r.key}
            label={r.currency ? `${r.program}, ${r.currency}` : r.program}
            value={`${r.level === 'over' ? 'Over' : r.level === 'warning' ? 'Heading over' : 'OK'} · ${pct(r.ratio)} (${of(r, r.numerator, locale)} of ${of(r, r.denominator, locale)}) · projected ${pct(r.projected?.ratio ?? null)} · threshold ${pct(r.threshold)}, ${minimum(r, locale)}`}
          />
        ))}
      </PropertyList>
      {charts.ratios.length > 0 ? (
        <Box css={{ stack: 'y', gap: 'xsmall' }}>
          <Box css={{ color: 'secondary' }}>
            Ratios of the last three months against thresholds (%)
          </Box>
          <LineChart data={charts.ratios} x="month" y="percent" color="series" />
        </Box>
      ) : null}
    </Box>
  );
};
