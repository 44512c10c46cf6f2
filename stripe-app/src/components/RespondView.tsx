// "Respond" to one dispute, in a FocusView: completeness and what is missing, the prefilled draft
// (each field with where its value came from), files (Stripe's uploader, or generated receipts
// and payment histories), then Save, Submit or Accept — the last two confirmed by typing the
// dispute id, as they cannot be undone.
import {
  Banner,
  Box,
  Button,
  Checkbox,
  Divider,
  FocusView,
  Inline,
  StripeFileUploader,
  TextArea,
  TextField,
} from '@stripe/ui-extension-sdk/ui';
import { useState } from 'react';
import type { ApiClient } from '../api/client';
import { useAsync } from '../hooks/use-async';
import { useRespond } from '../hooks/useRespond';
import { Failure, Loading } from './States';

export const RespondView = ({
  api,
  disputeId,
  shown,
  setShown,
  onDone,
}: {
  api: ApiClient;
  disputeId: string;
  shown: boolean;
  setShown: (shown: boolean) => void;
  onDone: () => void;
}) => {
  const vm = useRespond(api, disputeId);
  const advice = useAsync(() => api.recommendation(disputeId), `advice:${disputeId}`);
  const [confirming, setConfirming] = useState<'submit' | 'accept' | null>(null);
  const [typed, setTyped] = useState('');
  const [fee, setFee] = useState(false);
  const [incomplete, setIncomplete] = useState(false);
  const finish = async (run: () => Promise<void>) => {
    await run();
    setConfirming(null);
    setTyped('');
    onDone();
  };
  return (
    <FocusView
      title={`Respond to ${disputeId}`}
      shown={shown}
      setShown={setShown}
      size="large"
      confirmCloseMessages={
        vm.dirty
          ? {
              title: 'Discard your changes?',
              description: 'Your edits to the evidence are not saved.',
              cancelAction: 'Keep editing',
              exitAction: 'Discard',
            }
          : undefined
      }
      primaryAction={
        <Button type="primary" onPress={() => void vm.save()} disabled={vm.busy || !vm.answerable}>
          Save draft
        </Button>
      }
      secondaryAction={<Button onPress={() => setShown(false)}>Close</Button>}
    >
      {vm.pending ? (
        <Loading what="the evidence draft" />
      ) : vm.error || !vm.draft ? (
        <Failure message={vm.error ?? 'No draft.'} retry={() => setShown(false)} />
      ) : (
        <Box css={{ stack: 'y', gap: 'large' }}>
          {vm.notice ? (
            <Banner type={vm.notice.type} title={vm.notice.title} description={vm.notice.detail} />
          ) : null}
          {advice.data ? (
            <Banner
              type={advice.data.recommendation === 'fight' ? 'default' : 'caution'}
              title={`Recommended: ${advice.data.recommendation === 'fight' ? 'fight' : 'accept'}`}
              description={advice.data.explanation}
            />
          ) : null}
          {!vm.answerable ? (
            <Banner
              type="caution"
              title="This dispute can no longer be answered"
              description={vm.whyNot ?? ''}
            />
          ) : null}
          <Box css={{ stack: 'y', gap: 'small' }}>
            <Box css={{ font: 'heading' }}>Evidence {vm.completeness} % complete</Box>
            <Box css={{ color: 'secondary' }}>
              {vm.missing.length
                ? `Required and still empty: ${vm.missing.join(', ')}.`
                : 'Everything required for this reason is filled.'}
            </Box>
            {vm.ce3 ? <Box css={{ color: 'secondary' }}>{vm.ce3}</Box> : null}
          </Box>
          <Divider />
          {vm.fields
            .filter((f) => !f.isFile)
            .map((f) => (
              <TextArea
                key={`${f.name}:${vm.draft!.version}`}
                label={`${f.label}${f.importance === 'required' ? ' (required)' : f.importance === 'recommended' ? ' (recommended)' : ''}`}
                description={f.source ? `From ${f.source}` : 'Empty: nothing stored to prefill it.'}
                defaultValue={f.value}
                disabled={!vm.answerable || vm.busy}
                onChange={(e) => vm.edit(f.name, e.target.value)}
              />
            ))}
          <Divider />
          <Box css={{ font: 'subheading' }}>Files</Box>
          {vm.fields
            .filter((f) => f.isFile)
            .map((f) => (
              <Box key={f.name} css={{ stack: 'y', gap: 'xsmall' }}>
                <Box css={{ font: 'bodyEmphasized' }}>
                  {f.label}
                  {f.importance === 'required' ? ' (required)' : ''}
                </Box>
                <Box css={{ color: 'secondary' }}>
                  {f.value ? `${f.value} — ${f.source ?? ''}` : 'No file yet.'}
                </Box>
                {vm.answerable ? (
                  <StripeFileUploader
                    label={`Upload ${f.label.toLowerCase()} (PDF, JPEG or PNG, at most 5 MB)`}
                    purpose="dispute_evidence"
                    onComplete={(file) => void vm.attached(f.name, file.id)}
                  />
                ) : null}
              </Box>
            ))}
          {vm.answerable ? (
            <Inline css={{ gap: 'small' }}>
              <Button onPress={() => void vm.generate('receipt')} disabled={vm.busy}>
                Generate receipt
              </Button>
              <Button onPress={() => void vm.generate('payment_history')} disabled={vm.busy}>
                Generate payment history
              </Button>
            </Inline>
          ) : null}
          <Divider />
          {vm.answerable && confirming === null ? (
            <Inline css={{ gap: 'small' }}>
              <Button type="primary" onPress={() => setConfirming('submit')} disabled={vm.busy}>
                Submit evidence…
              </Button>
              <Button type="destructive" onPress={() => setConfirming('accept')} disabled={vm.busy}>
                Accept dispute…
              </Button>
            </Inline>
          ) : null}
          {confirming ? (
            <Box css={{ stack: 'y', gap: 'small' }}>
              <Banner
                type={confirming === 'accept' ? 'critical' : 'caution'}
                title={confirming === 'accept' ? 'Accept this dispute?' : 'Submit this evidence?'}
                description={
                  confirming === 'accept'
                    ? 'The disputed amount stays with the cardholder and the dispute closes as lost. This cannot be undone.'
                    : 'Evidence can be submitted once; the issuer then decides. Your unsaved edits are saved first.'
                }
              />
              {confirming === 'submit' && vm.compliance ? (
                <Checkbox
                  label="I acknowledge the card network charges a fee if it rules against me (compliance dispute)."
                  onChange={(e) => setFee(e.target.checked)}
                />
              ) : null}
              {confirming === 'submit' && vm.missing.length ? (
                <Checkbox
                  label={`Submit although ${vm.missing.join(', ')} ${vm.missing.length > 1 ? 'are' : 'is'} empty.`}
                  onChange={(e) => setIncomplete(e.target.checked)}
                />
              ) : null}
              <TextField
                label={`Type ${disputeId} to confirm`}
                onChange={(e) => setTyped(e.target.value)}
              />
              <Inline css={{ gap: 'small' }}>
                <Button
                  type={confirming === 'accept' ? 'destructive' : 'primary'}
                  disabled={vm.busy || typed !== disputeId}
                  onPress={() =>
                    void finish(() =>
                      confirming === 'accept'
                        ? vm.accept(typed)
                        : vm.submit(typed, { feeAcknowledged: fee, allowIncomplete: incomplete }),
                    )
                  }
                >
                  {confirming === 'accept' ? 'Accept dispute' : 'Submit evidence'}
                </Button>
                <Button onPress={() => setConfirming(null)}>Cancel</Button>
              </Inline>
            </Box>
          ) : null}
        </Box>
      )}
    </FocusView>
  );
};
