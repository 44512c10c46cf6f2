// A progress bar drawn from two Boxes (the SDK has no progress component): the filled part's
// width is the nearest twelfth, the exact figure is in the label.
import { Box } from '@stripe/ui-extension-sdk/ui';

type Twelfth = `${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11}/12`;

export const ProgressBar = ({ percent, label }: { percent: number; label: string }) => {
  const twelfths = Math.round((Math.min(100, Math.max(0, percent)) / 100) * 12);
  const width: Twelfth | 'fill' | 0 =
    twelfths >= 12 ? 'fill' : twelfths <= 0 ? 0 : (`${twelfths}/12` as Twelfth);
  return (
    <Box css={{ stack: 'y', gap: 'xxsmall' }}>
      <Box css={{ font: 'caption', color: 'secondary' }}>{label}</Box>
      <Box
        css={{ backgroundColor: 'container', borderRadius: 'rounded', height: 8, width: 'fill' }}
      >
        <Box
          css={{
            backgroundColor: 'surface',
            borderRadius: 'rounded',
            height: 8,
            width,
            keyline: 'neutral',
          }}
        >
          {''}
        </Box>
      </Box>
    </Box>
  );
};
