// Removes secrets from anything support staff see or the audit log keeps: values under keys that
// name a secret (Stripe's PaymentIntent `client_secret`, our signing secrets, API keys, tokens),
// at any depth. The structure stays, so staff still see that a field was there.
// Judged on the key in snake_case: `client_secret`, `refresh_token`, `apiKey` → `api_key` match;
// `tokenization_method` and `idempotency_key` (not secrets) do not.
const SECRET_WORD = /(^|_)(secret|password|passphrase|token|authorization|cvc)$/;
const SECRET_KEY = /(^|_)(api|private|secret|signing)_key$/;
const isSecretKey = (key: string) => {
  const k = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return SECRET_WORD.test(k) || SECRET_KEY.test(k);
};

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      isSecretKey(k) && v !== null && typeof v !== 'object'
        ? '[redacted]'
        : redactSecrets(v, depth + 1),
    ]),
  );
}
