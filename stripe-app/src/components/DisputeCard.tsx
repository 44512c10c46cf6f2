// One dispute: unified status and type as badges, Stripe's status, the reason with its network
// code and meaning, amount, the deadline countdown, the timeline, the order, and (in the lists) a
// link to the payment's page in the Dashboard as an SDK route.
import {
  Badge,
  Banner,
  Box,
  Inline,
  Link,
  List,
  ListItem,
  PropertyList,
  PropertyListItem,
} from '@stripe/ui-extension-sdk/ui';
import type { DisputeCardModel } from '../hooks/dispute-card';

export const DisputeCard = ({ d, compact = false }: { d: DisputeCardModel; compact?: boolean }) => (
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
      <Badge type={d.statusBadge}>{d.status}</Badge>
      <Badge type="neutral">{d.type}</Badge>
      <Inline css={{ font: 'heading' }}>{d.amount}</Inline>
    </Inline>
    <Box css={{ font: 'bodyEmphasized' }}>
      {d.reason}
      {d.reasonCode ? ` · network code ${d.reasonCode}` : ''}
    </Box>
    <Box css={{ color: 'secondary' }}>{d.meaning}</Box>
    {d.deadline ? (
      <Banner
        type={d.deadline.none ? 'default' : d.deadline.urgent ? 'critical' : 'caution'}
        title={
          d.deadline.none
            ? 'No response possible'
            : d.deadline.urgent
              ? 'Respond soon'
              : 'Evidence due'
        }
        description={d.deadline.text}
      />
    ) : null}
    {compact ? null : (
      <PropertyList>
        <PropertyListItem label="Stripe status" value={d.stripeStatus} />
        <PropertyListItem label="Order" value={d.orderId ?? 'No order reference'} />
        <PropertyListItem label="Transaction" value={d.transactionId ?? '—'} />
        <PropertyListItem
          label="Evidence submitted"
          value={d.evidenceSubmissions ? `${d.evidenceSubmissions}×` : 'Not yet'}
        />
        <PropertyListItem label="Opened" value={`${d.openedAt} UTC`} />
      </PropertyList>
    )}
    {!compact && d.timeline.length > 0 ? (
      <Box css={{ stack: 'y', gap: 'xsmall' }}>
        <Box css={{ font: 'subheading' }}>Timeline</Box>
        <List>
          {d.timeline.map((t) => (
            <ListItem key={t.key} title={t.title} secondaryTitle={t.at} />
          ))}
        </List>
      </Box>
    ) : null}
    {compact && d.paymentRoute ? (
      // In the Dashboard itself: its payment page, where the dispute panel is.
      <Link href={d.paymentRoute}>Open the payment</Link>
    ) : null}
  </Box>
);
