// Verifying a DisputeDesk DISPUTE.STATUS notification on the receiving side (Node 18+, no
// dependencies). `rawBody` is the request body exactly as received (bytes or string), `headers`
// the request headers (lower-case names), `secret` the destination's signing secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

const TOLERANCE_SECONDS = 300;

export function verifyDisputeNotification(
  rawBody,
  headers,
  secret,
  nowSeconds = Date.now() / 1000,
) {
  const timestamp = Number(headers['x-signature-timestamp']);
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) {
    return false; // missing, or too old / too far ahead: a replay
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // During the 24 h after a rotation the old secret signs too (X-Signature-Secondary): accept
  // either header, so a receiver can switch secrets at its own pace.
  return ['x-signature-primary', 'x-signature-secondary'].some((name) => {
    const given = Buffer.from(String(headers[name] ?? ''), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
