// The overview's money and network figures: per currency, what disputes took and what contesting
// brought back (90 days), and this month's Visa VAMP / Mastercard ECM ratios against their
// thresholds, projected to the month's end — "partial" while the history import runs.
import { Banner, Box, PropertyList, PropertyListItem } from '@stripe/ui-extension-sdk/ui';
import type { ApiClient } from '../api/client';
import { money } from '../format';
import { useAsync } from '../hooks/use-async';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);

export const MoneyAndRatios = ({ api }: { api: ApiClient }) => {
  const { data, error } = useAsync(
    async () => ({ outcomes: await api.outcomes(), ratios: await api.ratios() }),
    'money-and-ratios',
  );
  if (error) return <Banner type="critical" title="Dispute figures" description={error.message} />;
  if (!data) return null;
  const month = new Date().toISOString().slice(0, 7);
  const current = data.ratios.data.filter((r) => r.month === month);
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
              value={`${money(c.disputed.amount, c.currency)} disputed · ${money(c.won.amount, c.currency)} won · ${money(c.lost.amount, c.currency)} lost · ${money(c.ledger.netRecovered, c.currency)} recovered net of fees`}
            />
          ))}
        </PropertyList>
      )}
      <Box css={{ font: 'subheading' }}>Card network monitoring ({month})</Box>
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
            key={r.network}
            label={r.program}
            value={`${r.level === 'over' ? 'Over' : r.level === 'warning' ? 'Heading over' : 'OK'} · ${pct(r.ratio)} (${r.numerator} of ${r.denominator}) · projected ${pct(r.projected?.ratio ?? null)} · threshold ${pct(r.threshold)} with ${r.minimumCount}`}
          />
        ))}
      </PropertyList>
    </Box>
  );
};
