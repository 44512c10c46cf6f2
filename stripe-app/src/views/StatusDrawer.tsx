// stripe.dashboard.drawer.default: the status in a few lines and the most urgent dispute.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Box, ContextView } from '@stripe/ui-extension-sdk/ui';
import { DisputeCard } from '../components/DisputeCard';
import { Failure, Loading, NotConnected } from '../components/States';
import { useStatusDrawer } from '../hooks/useStatusDrawer';

const StatusDrawer = (context: ExtensionContextValue) => {
  const vm = useStatusDrawer(context);
  const c = vm.connection;
  return (
    <ContextView title="DisputeDesk">
      {vm.pending && !c ? (
        <Loading what="status" />
      ) : vm.error || !c ? (
        <Failure message={vm.error ?? 'No answer.'} retry={vm.reload} />
      ) : (
        <Box css={{ stack: 'y', gap: 'small' }}>
          <Box css={{ font: 'bodyEmphasized' }}>{c.headline}</Box>
          {c.connected ? null : (
            <NotConnected
              installUrl={c.installUrl}
              disconnected={c.disconnected}
              pending={c.pending}
            />
          )}
          {vm.lines.map((line) => (
            <Box key={line}>{line}</Box>
          ))}
          {vm.mostUrgent ? (
            <Box css={{ stack: 'y', gap: 'xsmall' }}>
              <Box css={{ font: 'subheading' }}>Most urgent</Box>
              <DisputeCard d={vm.mostUrgent} compact />
            </Box>
          ) : c.connected ? (
            <Box css={{ color: 'secondary' }}>No dispute needs a response.</Box>
          ) : null}
        </Box>
      )}
    </ContextView>
  );
};

export default StatusDrawer;
