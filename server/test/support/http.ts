// Sending signed deliveries the way Stripe does.
import type Stripe from 'stripe';
import { signatureHeader } from '../../src/webhooks/verify-signature.ts';

export interface Sent {
  status: number;
  body: {
    received?: boolean;
    id?: string;
    duplicate?: boolean;
    status?: string;
    error?: { code: string; message: string; details?: { reason?: string } };
  };
}

export async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Sent> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Sent['body']) : {} };
}

export async function sendEvent(
  url: string,
  event: Stripe.Event | Record<string, unknown>,
  secrets: string | string[],
  opts: { timestamp?: number } = {},
): Promise<Sent> {
  const body = JSON.stringify(event);
  return post(url, body, { 'stripe-signature': signatureHeader(secrets, body, opts.timestamp) });
}
