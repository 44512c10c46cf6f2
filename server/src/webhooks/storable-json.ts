// What a stored body may not hold. raw_events keeps the text as received (json), but everything
// processing writes is jsonb, which refuses NUL characters and lone UTF-16 surrogates — both
// valid for JSON.parse. NULs are replaced (a client's text, never a Stripe id); a lone surrogate
// can only come from a broken sender, so such an event is refused at the door (Stripe retries
// and shows the refusal) rather than stored to fail in processing.

const LONE = /\p{Cs}/u; // with the u flag, only surrogates not paired into one code point

function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE.test(value);
  if (Array.isArray(value)) return value.some(holdsLoneSurrogate);
  if (value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) {
    if (LONE.test(k) || holdsLoneSurrogate(v)) return true;
  }
  return false;
}

/** The body to store, or null when it holds a lone surrogate (escaped, the only way it can). */
export function storableJson(text: string): string | null {
  // Surrogates reach a decoded body only as \uD800–\uDFFF escapes: look closer only then.
  if (/\\u[dD][89a-fA-F]/.test(text) && holdsLoneSurrogate(JSON.parse(text))) return null;
  return text.includes('\\u0000') ? text.replaceAll('\\u0000', '\\uFFFD') : text;
}
