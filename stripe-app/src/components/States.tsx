// The states every view shares: loading, a failed read with a retry, and an account that is not
// (or no longer) connected, with the way to connect.
import { Banner, Box, Button, Spinner } from '@stripe/ui-extension-sdk/ui';

export const Loading = ({ what }: { what: string }) => (
  <Box css={{ stack: 'x', gap: 'small', alignY: 'center', padding: 'medium' }}>
    <Spinner size="small" />
    <Box>Loading {what}…</Box>
  </Box>
);

export const Failure = ({ message, retry }: { message: string; retry: () => void }) => (
  <Banner
    type="critical"
    title="DisputeDesk could not load this"
    description={message}
    actions={<Button onPress={retry}>Try again</Button>}
  />
);

export const NotConnected = ({
  installUrl,
  disconnected = false,
  pending = false,
}: {
  installUrl: string;
  disconnected?: boolean;
  /** Installed, the connection still being set up: wait, do not connect again. */
  pending?: boolean;
}) =>
  pending ? (
    <Banner
      type="default"
      title="Finishing the install"
      description="Stripe has confirmed the install; DisputeDesk is setting up the connection. This takes a moment."
    />
  ) : (
    <Banner
      type="caution"
      title={disconnected ? 'DisputeDesk is disconnected' : 'Connect DisputeDesk'}
      description={
        disconnected
          ? 'This account was disconnected. Reconnect it to see disputes again; history kept within the retention period comes back.'
          : 'Connect this account so DisputeDesk can import its disputes and follow new ones.'
      }
      actions={
        <Button href={installUrl} target="_blank" type="primary">
          {disconnected ? 'Reconnect' : 'Connect'}
        </Button>
      }
    />
  );
