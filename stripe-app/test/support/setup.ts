// Jest setup for every test file: the SDK's fetchStripeSignature and clipboardWriteText need the
// Dashboard host, so they are the things replaced — by a signer that gives a fresh, well-formed
// signature per call, and a clipboard that records what was copied.
jest.mock('@stripe/ui-extension-sdk/utils', () => {
  let n = 0;
  return {
    ...jest.requireActual<object>('@stripe/ui-extension-sdk/utils'),
    fetchStripeSignature: jest.fn(() =>
      Promise.resolve(`t=1700000000,v1=${String(++n).padStart(64, '0')}`),
    ),
    // The clipboard is the Dashboard's too: recorded here.
    clipboardWriteText: jest.fn(() => Promise.resolve()),
  };
});
