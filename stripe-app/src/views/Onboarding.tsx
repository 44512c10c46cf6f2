// onboarding (the post-install action): the first run, step by step — connected, importing the
// history with its progress, ready — with the way to connect when the account is not yet.
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Banner, Box, Button, OnboardingView } from '@stripe/ui-extension-sdk/ui';
import { Failure } from '../components/States';
import { useOnboarding } from '../hooks/useOnboarding';

const Onboarding = (context: ExtensionContextValue) => {
  const vm = useOnboarding(context);
  return (
    <OnboardingView
      title={vm.title}
      description={vm.description}
      completed={vm.completed}
      pending={vm.pending}
      tasks={vm.tasks}
      error={vm.error ? <Failure message={vm.error} retry={vm.reload} /> : undefined}
    >
      <Box css={{ stack: 'y', gap: 'medium' }}>
        {vm.installUrl ? (
          <Button type="primary" href={vm.installUrl} target="_blank">
            Connect
          </Button>
        ) : null}
        {vm.importError ? (
          <Banner
            type="critical"
            title="The history import stopped"
            description={`${vm.importError} New disputes still arrive as they happen; the status drawer shows what was imported.`}
          />
        ) : null}
      </Box>
    </OnboardingView>
  );
};

export default Onboarding;
