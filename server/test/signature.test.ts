// The verifier against Stripe's own library: what stripe-node signs we accept, and what we sign
// stripe-node accepts. Plus the edge cases of the header format.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../src/webhooks/verify-signature.ts';

const stripe = new Stripe('sk_test_signature_tests_only');
const secret = 'whsec_test_secret_for_signatures';
const body = Buffer.from(
  JSON.stringify({ id: 'evt_1', object: 'event', type: 'charge.succeeded' }),
);
const now = Math.floor(Date.now() / 1000);
const verify = (header: string | undefined, secrets = [secret], nowSeconds = now) =>
  verifySignature({ header, body, secrets, toleranceSeconds: 300, nowSeconds });

describe('verifySignature', () => {
  it("accepts stripe-node's test header", () => {
    const header = stripe.webhooks.generateTestHeaderString({
      payload: body.toString(),
      secret,
      timestamp: now,
    });
    expect(verify(header)).toEqual({ ok: true, timestamp: now });
  });

  it('signs headers that stripe-node verifies', () => {
    const header = signatureHeader(secret, body, now);
    const evt = stripe.webhooks.constructEvent(body, header, secret);
    expect(evt.id).toBe('evt_1');
  });

  it('passes when any v1 matches any secret, in any position', () => {
    const good = signatureHeader(secret, body, now).split(',')[1]!;
    expect(verify(`t=${now},v1=${'0'.repeat(64)},${good}`).ok).toBe(true);
    expect(verify(signatureHeader(secret, body, now), ['whsec_other', secret]).ok).toBe(true);
  });

  it('ignores unknown schemes and whitespace', () => {
    const good = signatureHeader(secret, body, now).split(',')[1]!;
    expect(verify(`t=${now}, v0=${'f'.repeat(64)}, ${good}`).ok).toBe(true);
  });

  it.each([
    [undefined, 'missing_signature_header'],
    ['', 'missing_signature_header'],
    ['garbage', 'malformed_signature_header'],
    [`t=abc,v1=${'a'.repeat(64)}`, 'malformed_signature_header'],
    [`t=${now}`, 'malformed_signature_header'],
    [`t=${now},v1=short`, 'malformed_signature_header'],
    [`v1=${'a'.repeat(64)}`, 'malformed_signature_header'],
  ])('header %j → %s', (header, reason) => {
    expect(verify(header)).toEqual({ ok: false, reason });
  });

  it('refuses a body changed by one byte', () => {
    const header = signatureHeader(secret, body, now);
    const changed = Buffer.from(body);
    changed[5] = changed[5]! ^ 1;
    expect(
      verifySignature({
        header,
        body: changed,
        secrets: [secret],
        toleranceSeconds: 300,
        nowSeconds: now,
      }),
    ).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('holds the 300 s tolerance exactly, both ways', () => {
    expect(verify(signatureHeader(secret, body, now - 300)).ok).toBe(true);
    expect(verify(signatureHeader(secret, body, now - 301))).toEqual({
      ok: false,
      reason: 'timestamp_too_old',
    });
    expect(verify(signatureHeader(secret, body, now + 300)).ok).toBe(true);
    expect(verify(signatureHeader(secret, body, now + 301))).toEqual({
      ok: false,
      reason: 'timestamp_in_future',
    });
  });

  it('says when no secret is configured', () => {
    expect(verify(signatureHeader(secret, body, now), [])).toEqual({
      ok: false,
      reason: 'no_signing_secret',
    });
  });
});
