// Text Postgres cannot store — NUL characters, and lone UTF-16 surrogates (what invalid UTF-8 or a
// broken \u escape decodes to) — is refused with a 400 before anything runs, naming where it is;
// otherwise it would fail half-way through an action, or in its audit row.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.ts';

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (or key) Postgres could not store, or null. */
export function findUnstorable(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '(root)' : null;
  if (Buffer.isBuffer(value)) return null; // file bytes are not text
  if (value === null || typeof value !== 'object' || depth > 32) return null;
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (UNSTORABLE.test(k)) return at;
    const found = findUnstorable(v, at, depth + 1);
    if (found) return found;
  }
  return null;
}

const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** The same value with every unstorable character replaced by U+FFFD (for logs and audit rows). */
export function storableCopy(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE_ALL, '\uFFFD');
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => storableCopy(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [storableCopy(k, depth + 1), storableCopy(v, depth + 1)]),
  );
}

export function assertStorable(parts: Record<string, unknown>) {
  for (const [where, value] of Object.entries(parts)) {
    const at = findUnstorable(value);
    if (at) {
      throw new AppError(
        'bad_request',
        `The ${where} carries text that cannot be stored (a NUL character or invalid UTF-8) at ${storableCopy(at) as string}.`,
        { reason: 'unstorable_text', in: where },
      );
    }
  }
}

/** Middleware: the query and (parsed) body must be storable. Path parameters are checked per route. */
export function storableInput(req: Request, _res: Response, next: NextFunction) {
  try {
    assertStorable({ path: decodedPath(req.path), query: req.query, body: req.body as unknown });
    next();
  } catch (err) {
    next(err);
  }
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed escapes are Express's to refuse (400)
  }
}
