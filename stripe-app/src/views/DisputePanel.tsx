// stripe.dashboard.payment.detail: the disputes of the payment on the page.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Banner, Box, Button, ContextView } from '@stripe/ui-extension-sdk/ui';
import { useState } from 'react';
import { backendUrl, useApi } from '../api/use-api';
import { localeOf } from '../format';
import { Advice } from '../components/Advice';
import { BillingCard } from '../components/BillingCard';
import { DisputeCard } from '../components/DisputeCard';
import { RespondView } from '../components/RespondView';
import { Failure, Loading, NotConnected } from '../components/States';
import { useDisputePanel } from '../hooks/useDisputePanel';

const DisputePanel = (context: ExtensionContextValue) => {
  const vm = useDisputePanel(context);
  const api = useApi(context);
  const [responding, setResponding] = useState<string | null>(null);
  const installUrl = `${backendUrl(context)}/oauth/install?mode=${context.environment.mode}`;
  return (
    <ContextView
      title="Disputes"
      description="DisputeDesk: this payment's disputes and fraud warnings"
    >
      {vm.unsupported ? (
        <Box>Open a payment to see its disputes.</Box>
      ) : vm.pending ? (
        <Loading what="this payment's disputes" />
      ) : vm.notConnected || vm.disconnected ? (
        <NotConnected installUrl={installUrl} disconnected={vm.disconnected} />
      ) : vm.error ? (
        <Failure message={vm.error} retry={vm.reload} />
      ) : vm.unknownPayment ? (
        <Box css={{ color: 'secondary' }}>
          DisputeDesk has no record of this payment yet. Payments appear once their events arrive or
          the history import reaches them.
        </Box>
      ) : (
        <Box css={{ stack: 'y', gap: 'medium' }}>
          {vm.warnings.map((w) => (
            <Banner key={w.id} type="caution" title={w.title} description={w.detail} />
          ))}
          {vm.billing ? <BillingCard b={vm.billing} /> : null}
          {vm.empty ? (
            <Box css={{ color: 'secondary' }}>No disputes on this payment.</Box>
          ) : (
            vm.disputes.map((d) => (
              <Box key={d.id} css={{ stack: 'y', gap: 'small' }}>
                <DisputeCard d={d} />
                {d.answerable ? (
                  <Advice api={api} disputeId={d.id} locale={localeOf(context)} />
                ) : null}
                {d.answerable ? (
                  <Button type="primary" onPress={() => setResponding(d.id)}>
                    Respond
                  </Button>
                ) : null}
              </Box>
            ))
          )}
          {responding ? (
            <RespondView
              api={api}
              disputeId={responding}
              shown={responding !== null}
              setShown={(shown) => setResponding(shown ? responding : null)}
              onDone={vm.reload}
            />
          ) : null}
        </Box>
      )}
    </ContextView>
  );
};

export default DisputePanel;
