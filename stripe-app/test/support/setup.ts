// Jest setup for every test file: the SDK's fetchStripeSignature needs the Dashboard host, so it
// is the one thing replaced — by a signer that gives a fresh, well-formed signature per call.
jest.mock('@stripe/ui-extension-sdk/utils', () => {
  let n = 0;
  return {
    ...jest.requireActual<object>('@stripe/ui-extension-sdk/utils'),
    fetchStripeSignature: jest.fn(() =>
      Promise.resolve(`t=1700000000,v1=${String(++n).padStart(64, '0')}`),
    ),
  };
});
