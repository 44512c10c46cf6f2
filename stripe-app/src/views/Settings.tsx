// settings: connect or reconnect (the restricted-key alternative is a page of the backend, not
// part of the app), notification destinations, automatic submission, and disconnecting.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import {
  Banner,
  Box,
  Button,
  Divider,
  Inline,
  Link,
  SettingsView,
  Switch,
  TextField,
} from '@stripe/ui-extension-sdk/ui';
import { useApi } from '../api/use-api';
import { AutoSubmitSettings } from '../components/AutoSubmitSettings';
import { Failure, Loading } from '../components/States';
import { useSettings } from '../hooks/useSettings';

const Settings = (context: ExtensionContextValue) => {
  const vm = useSettings(context);
  const api = useApi(context);
  const c = vm.connection;
  return (
    <SettingsView>
      {vm.pending && !c ? (
        <Loading what="settings" />
      ) : vm.error || !c ? (
        <Failure message={vm.error ?? 'No answer.'} retry={vm.reload} />
      ) : (
        <Box css={{ stack: 'y', gap: 'large' }}>
          {vm.notice ? (
            <Banner type={vm.notice.type} title={vm.notice.title} description={vm.notice.detail} />
          ) : null}
          {vm.revealedSecret ? (
            <Banner
              type="caution"
              title={vm.revealedSecret.title}
              description={`${vm.revealedSecret.secret} — copy it now: it is not shown again. Your receiver verifies X-Signature-Primary with it.`}
              onDismiss={vm.dismissSecret}
              actions={<Button onPress={vm.copySecret}>Copy secret</Button>}
            />
          ) : null}

          <Box css={{ stack: 'y', gap: 'small' }}>
            <Box css={{ font: 'heading' }}>Connection</Box>
            <Box>{c.headline}</Box>
            {c.detail ? <Box css={{ color: 'secondary' }}>{c.detail}</Box> : null}
            <Inline css={{ gap: 'small' }}>
              <Button
                href={c.installUrl}
                target="_blank"
                type={c.connected ? 'secondary' : 'primary'}
              >
                {c.connected
                  ? 'Reconnect with Stripe'
                  : c.disconnected
                    ? 'Reconnect'
                    : 'Connect with Stripe'}
              </Button>
            </Inline>
          </Box>

          {c.connected ? null : (
            <Box css={{ color: 'secondary' }}>
              Installing the app is all it takes. Your company prefers a restricted API key? Connect
              it on DisputeDesk&apos;s own page (outside the Dashboard):{' '}
              <Link href={vm.keyPageUrl} target="_blank" external>
                connect with a restricted key
              </Link>
              .
            </Box>
          )}

          {c.connected ? (
            <Box css={{ stack: 'y', gap: 'small' }}>
              <Divider />
              <Box css={{ font: 'heading' }}>Dispute notifications</Box>
              <Box css={{ color: 'secondary' }}>
                DisputeDesk posts a signed DISPUTE.STATUS message to these URLs whenever a dispute
                opens or changes status.
              </Box>
              {vm.destinations.length === 0 ? (
                <Box css={{ color: 'secondary' }}>No destinations yet.</Box>
              ) : null}
              {vm.destinations.map((d) => (
                <Box
                  key={d.id}
                  css={{
                    stack: 'y',
                    gap: 'xsmall',
                    padding: 'small',
                    keyline: 'neutral',
                    borderRadius: 'small',
                  }}
                >
                  <Box css={{ font: 'bodyEmphasized' }}>{d.url}</Box>
                  <Box css={{ color: 'secondary' }}>
                    {d.enabled ? 'Enabled' : 'Disabled'} · secret {d.secretHint ?? '—'}
                  </Box>
                  {d.testResult ? <Box>{d.testResult}</Box> : null}
                  <Inline css={{ gap: 'small', alignY: 'center' }}>
                    <Switch
                      label="Enabled"
                      checked={d.enabled}
                      disabled={vm.busy}
                      onChange={() => vm.toggle(d.id, !d.enabled)}
                    />
                    <Button size="small" disabled={vm.busy} onPress={() => vm.test(d.id)}>
                      Send test
                    </Button>
                    <Button size="small" disabled={vm.busy} onPress={() => vm.rotate(d.id)}>
                      Rotate secret
                    </Button>
                    {vm.confirmingRemoval === d.id ? null : (
                      <Button
                        size="small"
                        type="destructive"
                        disabled={vm.busy}
                        onPress={() => vm.askRemove(d.id)}
                      >
                        Remove
                      </Button>
                    )}
                  </Inline>
                  {vm.confirmingRemoval === d.id ? (
                    <Banner
                      type="critical"
                      title={`Remove ${d.url}?`}
                      description="It stops receiving dispute notifications at once; its signing secret stops working."
                      actions={
                        <>
                          <Button type="destructive" onPress={() => vm.remove(d.id)}>
                            Remove destination
                          </Button>
                          <Button onPress={() => vm.askRemove(null)}>Keep it</Button>
                        </>
                      }
                    />
                  ) : null}
                </Box>
              ))}
              <TextField
                label="New destination URL"
                placeholder="https://example.com/hooks/disputes"
                key={`url-${vm.formKey}`}
                defaultValue=""
                onChange={(e) => vm.newUrl.set(e.target.value)}
              />
              <Button onPress={vm.newUrl.submit} disabled={vm.busy || !vm.newUrl.value.trim()}>
                Add destination
              </Button>
            </Box>
          ) : null}

          {c.connected ? (
            <Box css={{ stack: 'y', gap: 'small' }}>
              <Divider />
              <AutoSubmitSettings api={api} />
            </Box>
          ) : null}

          {c.connected ? (
            <Box css={{ stack: 'y', gap: 'small' }}>
              <Divider />
              <Box css={{ font: 'heading' }}>Disconnect</Box>
              <Box css={{ color: 'secondary' }}>
                DisputeDesk stops receiving events and revokes its access. Your data is kept for the
                retention period, then deleted. Type {vm.accountId} to confirm.
              </Box>
              <TextField
                label="Account id"
                key={`confirm-${vm.formKey}`}
                defaultValue=""
                onChange={(e) => vm.disconnect.set(e.target.value)}
              />
              <Button
                type="destructive"
                onPress={vm.disconnect.submit}
                disabled={vm.busy || !vm.disconnect.ready}
              >
                Disconnect DisputeDesk
              </Button>
            </Box>
          ) : null}
        </Box>
      )}
    </SettingsView>
  );
};

export default Settings;
