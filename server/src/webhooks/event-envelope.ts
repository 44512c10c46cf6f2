// The minimal shape a Stripe event must have for us to store it. Everything else in the payload
// is kept as received.
import { z } from 'zod';

export const EventEnvelope = z.looseObject({
  id: z
    .string()
    .regex(/^evt_[A-Za-z0-9_]+$/, 'must be a Stripe event id (evt_…)')
    .max(255),
  object: z.literal('event').optional(),
  type: z.string().min(1).max(255),
  api_version: z.string().max(64).nullish(),
  created: z.number().int().positive(),
  livemode: z.boolean(),
  account: z
    .string()
    .regex(/^acct_[A-Za-z0-9]+$/)
    .optional(),
  data: z.looseObject({ object: z.looseObject({}) }),
});

export type EventEnvelope = z.infer<typeof EventEnvelope>;

export type EnvelopeResult =
  { ok: true; event: EventEnvelope } | { ok: false; reason: string; message: string };

export function parseEnvelope(body: Buffer): EnvelopeResult {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid_json', message: 'The body is not valid JSON.' };
  }
  const parsed = EventEnvelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      reason: 'invalid_event',
      message: `The body is not a Stripe event: ${issue.path.join('.') || '(root)'} ${issue.message}.`,
    };
  }
  return { ok: true, event: parsed.data };
}
