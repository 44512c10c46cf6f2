// Client secrets (PaymentIntent, SetupIntent, Checkout Session `client_secret`) let whoever holds
// them confirm or read the payment from a browser. Nothing here needs them, so they are removed
// from every Stripe payload before it is stored: raw events (webhooks, catch-up) and normalized
// rows (events, backfill). A migration scrubbed the rows stored before this existed.

const SECRET_FIELDS = new Set(['client_secret']);

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SECRET_FIELDS.has(k)) out[k] = strip(v);
  return out;
}

/** The JSON text without client secrets; unchanged (same string) when it has none. */
export function stripSecretsFromJson(json: string): string {
  if (!json.includes('"client_secret"')) return json;
  return JSON.stringify(strip(JSON.parse(json)));
}
