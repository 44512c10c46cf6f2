// Request input goes through a zod schema; a mismatch is a 400 naming each problem.
import type { z } from 'zod';
import { AppError } from '../errors.ts';

export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new AppError('bad_request', `Invalid ${what}.`, {
      issues: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    });
  }
  return r.data;
}
