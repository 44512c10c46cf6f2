// Fight or accept, on the dispute panel beside each open dispute: the recommendation, the chance
// of winning and the expected value, and every input it came from, so the merchant can see why.
import { Box, Inline, PropertyList, PropertyListItem } from '@stripe/ui-extension-sdk/ui';
import type { ApiClient } from '../api/client';
import { money } from '../format';
import { useAsync } from '../hooks/use-async';

const pct = (v: number) => `${Math.round(v * 100)} %`;

export const Advice = ({
  api,
  disputeId,
  locale = 'en-US',
}: {
  api: ApiClient;
  disputeId: string;
  locale?: string;
}) => {
  const advice = useAsync(() => api.recommendation(disputeId), `advice:${disputeId}`);
  if (advice.error)
    return (
      <Box css={{ color: 'secondary' }}>
        No recommendation for this dispute: {advice.error.message}
      </Box>
    );
  const a = advice.data;
  if (!a) return null;
  const i = a.inputs;
  const cur = a.expectedValue.currency;
  return (
    <Box css={{ stack: 'y', gap: 'xsmall', padding: 'small', borderRadius: 'medium' }}>
      <Inline css={{ font: 'subheading' }}>
        {`Recommended: ${a.recommendation} · ${pct(a.winProbability)} chance of winning`}
      </Inline>
      <Box css={{ color: 'secondary' }}>{a.explanation}</Box>
      <PropertyList>
        <PropertyListItem
          label="Expected value of fighting"
          value={`${money(Math.round(a.expectedValue.fight), cur, locale)} (accepting: ${money(a.expectedValue.accept, cur, locale)})`}
        />
        <PropertyListItem
          label="Your decided disputes like it"
          value={`${i.tenantHistory.won} won, ${i.tenantHistory.lost} lost (${i.reason.toLowerCase()}${i.cardBrand ? `, ${i.cardBrand}` : ''})`}
        />
        <PropertyListItem
          label="All merchants"
          value={`${pct(i.allTenants.rate)} won (${i.allTenants.won} of ${i.allTenants.won + i.allTenants.lost})`}
        />
        <PropertyListItem
          label="Evidence"
          value={
            i.evidence.missingRequired.length
              ? `${i.evidence.completeness} % complete; required and empty: ${i.evidence.missingRequired.join(', ')}`
              : `${i.evidence.completeness} % complete`
          }
        />
        <PropertyListItem label="Counter fee if lost" value={money(i.counterFee, cur, locale)} />
      </PropertyList>
    </Box>
  );
};
