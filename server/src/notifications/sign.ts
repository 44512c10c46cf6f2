// Notification signatures: HMAC-SHA256 over `${timestamp}.${body}`, base64, in
// X-Signature-Primary with X-Signature-Timestamp; during the 24 h after a rotation the previous
// secret signs too, in X-Signature-Secondary. Receivers accept a request if either matches.
import { createHmac } from 'node:crypto';

export const signNotification = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('base64');

export function signatureHeaders(
  secrets: { current: string; previous?: string },
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
) {
  return {
    'x-signature-timestamp': String(timestamp),
    'x-signature-primary': signNotification(secrets.current, timestamp, body),
    ...(secrets.previous
      ? { 'x-signature-secondary': signNotification(secrets.previous, timestamp, body) }
      : {}),
  };
}
