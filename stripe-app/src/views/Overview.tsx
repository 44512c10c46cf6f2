// stripe.dashboard.home.overview: connection health, history import and reports, disputes at a
// glance, disputes per week over 90 days by outcome, and the most urgent ones.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import {
  Banner,
  BarChart,
  Box,
  ContextView,
  Inline,
  PropertyList,
  PropertyListItem,
} from '@stripe/ui-extension-sdk/ui';
import { localeOf } from '../format';
import { useApi } from '../api/use-api';
import { DisputeCard } from '../components/DisputeCard';
import { MoneyAndRatios } from '../components/MoneyAndRatios';
import { ProgressBar } from '../components/ProgressBar';
import { Failure, Loading, NotConnected } from '../components/States';
import { useOverview } from '../hooks/useOverview';

const Overview = (context: ExtensionContextValue) => {
  const vm = useOverview(context);
  const api = useApi(context);
  const c = vm.connection;
  return (
    <ContextView title="DisputeDesk" description="Disputes and connection health">
      {vm.pending && !c ? (
        <Loading what="the overview" />
      ) : vm.error || !c ? (
        <Failure message={vm.error ?? 'No answer.'} retry={vm.reload} />
      ) : !c.connected ? (
        <Box css={{ stack: 'y', gap: 'medium' }}>
          <Box css={{ font: 'heading' }}>{c.headline}</Box>
          <NotConnected
            installUrl={c.installUrl}
            disconnected={c.disconnected}
            pending={c.pending}
          />
        </Box>
      ) : (
        <Box css={{ stack: 'y', gap: 'large' }}>
          <Box css={{ stack: 'y', gap: 'small' }}>
            <Box css={{ font: 'heading' }}>{c.headline}</Box>
            {c.detail ? <Box css={{ color: 'secondary' }}>{c.detail}</Box> : null}
            <PropertyList>
              <PropertyListItem label="Last webhook" value={c.lastWebhook} />
              <PropertyListItem label="Events (24 h)" value={String(c.events24h)} />
              <PropertyListItem
                label="Signature failures (24 h)"
                value={String(c.signatureFailures24h)}
              />
              <PropertyListItem label="Reports" value={c.reports} />
            </PropertyList>
            {c.signatureFailures24h > 0 ? (
              <Banner
                type="caution"
                title="Some deliveries failed verification"
                description="Check that the endpoint's signing secret is current (Settings)."
              />
            ) : null}
          </Box>
          <Box css={{ stack: 'y', gap: 'small' }}>
            <Box css={{ font: 'subheading' }}>
              History import: {c.backfill.status} · {c.backfill.percent} % · {c.backfill.objects}{' '}
              objects
            </Box>
            {c.backfill.error ? (
              <Banner
                type="critical"
                title="History import failed"
                description={c.backfill.error}
              />
            ) : null}
            {c.backfill.resources.map((r) => (
              <ProgressBar key={r.name} percent={r.percent} label={`${r.name}: ${r.text}`} />
            ))}
          </Box>
          <Box css={{ stack: 'y', gap: 'small' }}>
            <Box css={{ font: 'subheading' }}>
              Disputes at a glance{vm.partial ? ' · partial' : ''}
            </Box>
            {vm.noDisputes ? (
              <Box css={{ color: 'secondary' }}>
                {vm.partial
                  ? 'No disputes found so far: the history import is still running.'
                  : 'No disputes in the last 90 days.'}
              </Box>
            ) : null}
            <PropertyList>
              {vm.figures.map((f) => (
                <PropertyListItem key={f.key} label={f.label} value={f.value} />
              ))}
              <PropertyListItem
                label="Amount at risk"
                value={vm.amountAtRisk.join(' · ') || 'None'}
              />
            </PropertyList>
            {vm.byReason.length > 0 ? (
              <Inline css={{ gap: 'small', wrap: 'wrap' }}>
                {vm.byReason.map((r) => `${r.reason}: ${r.count}`).join(' · ')}
              </Inline>
            ) : null}
          </Box>
          <MoneyAndRatios api={api} locale={localeOf(context)} />
          {vm.chart.length > 0 ? (
            <Box css={{ stack: 'y', gap: 'small' }}>
              <Box css={{ font: 'subheading' }}>Disputes per week (90 days)</Box>
              <BarChart data={vm.chart} x="week" y="count" color="outcome" />
            </Box>
          ) : null}
          {vm.urgent.length > 0 ? (
            <Box css={{ stack: 'y', gap: 'small' }}>
              <Box css={{ font: 'subheading' }}>Most urgent</Box>
              {vm.urgent.map((d) => (
                <DisputeCard key={d.id} d={d} compact />
              ))}
            </Box>
          ) : null}
        </Box>
      )}
    </ContextView>
  );
};

export default Overview;
