// The subscription (or invoice) a disputed payment paid: status, service period, price, when it
// was canceled and why, and what the cancellation's timing means for the dispute.
import {
  Badge,
  Banner,
  Box,
  Inline,
  PropertyList,
  PropertyListItem,
} from '@stripe/ui-extension-sdk/ui';
import type { BillingCardModel } from '../hooks/billing-card';

export const BillingCard = ({ b }: { b: BillingCardModel }) => (
  <Box
    css={{
      stack: 'y',
      gap: 'small',
      padding: 'medium',
      keyline: 'neutral',
      borderRadius: 'medium',
    }}
  >
    <Inline css={{ gap: 'small', alignY: 'center' }}>
      <Inline css={{ font: 'heading' }}>{b.title}</Inline>
      {b.status ? <Badge type={b.statusBadge}>{b.status}</Badge> : null}
    </Inline>
    <PropertyList>
      {b.facts.map((f) => (
        <PropertyListItem key={f.label} label={f.label} value={f.value} />
      ))}
    </PropertyList>
    {b.cancellation ? (
      <Banner
        type={b.cancellation.tone}
        title={b.cancellation.title}
        description={b.cancellation.detail}
      />
    ) : null}
  </Box>
);
