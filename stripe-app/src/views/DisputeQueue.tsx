// stripe.dashboard.payment.list: the disputes to answer, soonest deadline first, each with its
// countdown and a link to its payment (where the dispute panel is).
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Box, ContextView } from '@stripe/ui-extension-sdk/ui';
import { DisputeCard } from '../components/DisputeCard';
import { Failure, Loading, NotConnected } from '../components/States';
import { useDisputeQueue } from '../hooks/useDisputeQueue';

const DisputeQueue = (context: ExtensionContextValue) => {
  const vm = useDisputeQueue(context);
  const c = vm.connection;
  return (
    <ContextView title="Disputes to answer" description="DisputeDesk: soonest deadline first">
      {vm.pending && !c ? (
        <Loading what="the disputes to answer" />
      ) : vm.error || !c ? (
        <Failure message={vm.error ?? 'No answer.'} retry={vm.reload} />
      ) : !c.connected ? (
        <NotConnected installUrl={c.installUrl} disconnected={c.disconnected} pending={c.pending} />
      ) : (
        <Box css={{ stack: 'y', gap: 'medium' }}>
          {vm.queue.length === 0 ? (
            <Box css={{ color: 'secondary' }}>
              {vm.importing
                ? 'Nothing to answer so far: the history import is still running.'
                : 'No dispute needs a response.'}
            </Box>
          ) : null}
          {vm.queue.map((d) => (
            <DisputeCard key={d.id} d={d} compact />
          ))}
          {vm.more ? (
            <Box css={{ color: 'secondary' }}>
              Showing the 100 most recent open disputes; older ones are in the Disputes page.
            </Box>
          ) : null}
        </Box>
      )}
    </ContextView>
  );
};

export default DisputeQueue;
