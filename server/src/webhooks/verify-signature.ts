// Stripe's webhook signature scheme: header `t=<unix>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 over
// `${t}.${rawBody}`. Any v1 that matches any currently valid secret passes (secret rotation, and
// Stripe signing with several secrets during its own rolls). Comparison is constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureFailure =
  | 'missing_signature_header'
  | 'malformed_signature_header'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'no_signing_secret'
  | 'signature_mismatch';

export type SignatureResult =
  { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

export const SIGNATURE_MESSAGES: Record<SignatureFailure, string> = {
  missing_signature_header: 'The Stripe-Signature header is missing.',
  malformed_signature_header:
    'The Stripe-Signature header is malformed: expected t=<timestamp> and at least one v1=<signature>.',
  timestamp_too_old:
    'The signature timestamp is older than the tolerance; the event may be replayed.',
  timestamp_in_future:
    'The signature timestamp is further in the future than the tolerance allows.',
  no_signing_secret: 'No signing secret is configured for this endpoint.',
  signature_mismatch: 'No signature matches any signing secret of this endpoint.',
};

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

function parseHeader(header: string): ParsedHeader | null {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

export function computeSignature(secret: string, timestamp: number, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

export function verifySignature(input: {
  header: string | undefined;
  body: Buffer;
  secrets: readonly string[];
  toleranceSeconds: number;
  nowSeconds?: number;
}): SignatureResult {
  if (!input.header) return { ok: false, reason: 'missing_signature_header' };
  const parsed = parseHeader(input.header);
  if (!parsed) return { ok: false, reason: 'malformed_signature_header' };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (parsed.timestamp < now - input.toleranceSeconds)
    return { ok: false, reason: 'timestamp_too_old' };
  if (parsed.timestamp > now + input.toleranceSeconds)
    return { ok: false, reason: 'timestamp_in_future' };
  if (input.secrets.length === 0) return { ok: false, reason: 'no_signing_secret' };
  let matched = false;
  for (const secret of input.secrets) {
    const expected = computeSignature(secret, parsed.timestamp, input.body);
    // Check every candidate (no early exit), so timing does not tell which secret matched.
    for (const candidate of parsed.signatures) {
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  return matched
    ? { ok: true, timestamp: parsed.timestamp }
    : { ok: false, reason: 'signature_mismatch' };
}

/** Builds a header the way Stripe does; used by tests, benchmarks and the emulator. */
export function signatureHeader(
  secrets: string | readonly string[],
  body: string | Buffer,
  timestamp?: number,
): string {
  const t = timestamp ?? Math.floor(Date.now() / 1000);
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return [`t=${t}`, ...list.map((s) => `v1=${computeSignature(s, t, body).toString('hex')}`)].join(
    ',',
  );
}
