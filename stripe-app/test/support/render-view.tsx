// Renders a view as the Dashboard would: context props, with the backend URL as the manifest
// constant (fetchStripeSignature is replaced for every test file in setup.ts).
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { getMockContextProps, render } from '@stripe/ui-extension-sdk/testing';
import { Button, type ButtonProps } from '@stripe/ui-extension-sdk/ui';
import type { FakeBackend } from './backend';

type View = (context: ExtensionContextValue) => JSX.Element;

export function renderView(
  View: View,
  backend: FakeBackend,
  options: {
    objectContext?: { id: string; object: string };
    mode?: 'test' | 'live';
    /** The Dashboard user's locale (en-US by default). */
    locale?: string;
  } = {},
) {
  const { locale, ...environment } = options;
  const mock = getMockContextProps({
    environment: { constants: { API_BASE: backend.url }, mode: 'test', ...environment },
  });
  const context = locale ? { ...mock, userContext: { ...mock.userContext, locale } } : mock;
  const { wrapper, update } = render(<View {...context} />);
  /** Re-renders until `check` passes (or fails after `timeoutMs`): answers arrive over real HTTP. */
  const eventually = async (check: () => void, timeoutMs = 4000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await update();
      try {
        check();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  return { wrapper, update, eventually, context };
}

interface FragmentChild {
  props?: { onPress?: () => void; href?: string };
  children?: Array<{ text?: string }>;
}

/** The props of the button labelled `label` inside a component's element prop (a Banner's `actions`). */
export function buttonInProp(node: { props: unknown } | null, prop: string, label: string) {
  const fragment = (node?.props as Record<string, { children?: FragmentChild[] }> | undefined)?.[
    prop
  ];
  const button = fragment?.children?.find((c) => c.children?.some((t) => t.text === label));
  if (!button?.props) throw new Error(`No button "${label}" in ${prop}`);
  return button.props;
}

/**
 * Presses the button labelled `label` inside a component's element prop (a Banner's `actions`):
 * the testing wrapper does not descend into remote fragments, so this reads the fragment itself.
 */
export function pressInProp(
  wrapper: ReturnType<typeof render>['wrapper'],
  node: { props: unknown } | null,
  prop: string,
  label: string,
) {
  const fragment = (node?.props as Record<string, { children?: FragmentChild[] }> | undefined)?.[
    prop
  ];
  const button = fragment?.children?.find((c) => c.children?.some((t) => t.text === label));
  if (!button?.props?.onPress) throw new Error(`No button "${label}" in ${prop}`);
  wrapper.act(() => button.props!.onPress!());
}

/** The Button whose label is `label` (buttons rendered as children, not inside props). */
export function buttonLabelled(wrapper: ReturnType<typeof render>['wrapper'], label: string) {
  const found = wrapper.findWhere<ButtonProps>((n) => n.is(Button) && n.text === label);
  if (!found) throw new Error(`No button "${label}"`);
  return found;
}
