// Every /app/… request comes from the Stripe App's UI extension, signed with
// `fetchStripeSignature(binding)`: Stripe-Signature over { user_id, account_id } plus the request
// binding (method, path with query, mode, body SHA-256: request-binding.ts), with the app's
// signing secret(s) (several during a rotation), 300 s tolerance. A signature over the identity
// alone is refused: it would authorize any request for its 300 s. The tenant is the verified
// account_id — and the signed mode — and nothing else.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { Pool } from '../db.ts';
import { AppError } from '../errors.ts';
import { SIGNATURE_MESSAGES, verifySignature } from '../webhooks/verify-signature.ts';
import { signedTexts, type RequestBinding } from './request-binding.ts';

export interface AppCaller {
  userId: string;
  accountId: string;
  livemode: boolean;
  /** The tenant of that account and mode, if it has one. */
  tenant: { id: string; status: string; connectionType: string } | null;
}

const Identity = z.object({
  user_id: z.string().regex(/^usr_\w+$/, 'must be a Stripe user id (usr_…)'),
  account_id: z.string().regex(/^acct_\w+$/, 'must be a Stripe account id (acct_…)'),
  mode: z.enum(['test', 'live']).default('test'),
});

export function appCaller(res: Response): AppCaller {
  return res.locals.appCaller as AppCaller;
}

export function verifyAppRequest(deps: {
  pool: Pool;
  secrets: readonly string[];
  toleranceSeconds: number;
}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    // The identity rides in the query for GETs and for file bytes, in the JSON body otherwise.
    const source =
      req.method === 'GET' || Buffer.isBuffer(req.body)
        ? req.query
        : ((req.body ?? {}) as Record<string, unknown>);
    const identity = Identity.safeParse({
      user_id: source.user_id,
      account_id: source.account_id,
      mode: source.mode,
    });
    if (!identity.success) {
      return next(
        new AppError(
          'unauthorized',
          'The request does not name its Stripe user and account (user_id, account_id).',
          {
            reason: 'missing_identity',
            issues: identity.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
          },
        ),
      );
    }
    const { user_id, account_id, mode } = identity.data;
    const binding: RequestBinding = {
      method: req.method,
      path: req.originalUrl,
      mode,
      body_sha256: createHash('sha256')
        .update(rawBodyOf(req) ?? '')
        .digest('hex'),
    };
    const check = (text: string) =>
      verifySignature({
        header: req.get('stripe-signature'),
        body: Buffer.from(text),
        secrets: deps.secrets,
        toleranceSeconds: deps.toleranceSeconds,
      });
    const results = signedTexts(user_id, account_id, binding).map(check);
    const result = results.find((r) => r.ok) ?? results[0]!;
    if (!result.ok) {
      if (
        result.reason === 'signature_mismatch' &&
        check(JSON.stringify({ user_id, account_id })).ok
      ) {
        return next(
          new AppError(
            'unauthorized',
            'The signature covers only the user and account; it must also cover the method, path, mode and body of this request (fetchStripeSignature with the request binding).',
            { reason: 'unbound_signature' },
          ),
        );
      }
      return next(
        new AppError('unauthorized', SIGNATURE_MESSAGES[result.reason], { reason: result.reason }),
      );
    }
    // Plain pg, not Prisma: this runs on every app request, and Prisma's query compiler cost
    // more CPU than the rest of a typical request (docs/BENCHMARKS.md, app API).
    const { rows } = await deps.pool.query<{ id: string; status: string; connectionType: string }>(
      `SELECT id, status, connection_type AS "connectionType" FROM tenants
        WHERE stripe_account_id = $1 AND livemode = $2`,
      [account_id, mode === 'live'],
    );
    const tenant = rows[0] ?? null;
    res.locals.appCaller = {
      userId: user_id,
      accountId: account_id,
      livemode: mode === 'live',
      tenant,
    } satisfies AppCaller;
    next();
  };
}

/** The extension runs in a sandboxed iframe whose origin is `null`; only /app routes allow it. */
export function appCors(req: Request, res: Response, next: NextFunction) {
  if (req.get('origin') === 'null') {
    res.set('access-control-allow-origin', 'null');
    res.set('vary', 'Origin');
    res.set('access-control-allow-headers', 'Stripe-Signature, Content-Type');
    res.set('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.set('access-control-max-age', '600');
  }
  if (req.method === 'OPTIONS') return res.status(204).end();
  next();
}

/**
 * The caller's tenant, for routes that need a live connection: an account never connected (or
 * purged, or only known from early events) is 404; a disconnected one is 403 with what to do.
 */
export function connectedTenant(res: Response): NonNullable<AppCaller['tenant']> {
  const { tenant } = appCaller(res);
  if (!tenant || tenant.status === 'purged' || tenant.status === 'pending') {
    throw new AppError(
      'not_found',
      'This account is not connected to DisputeDesk; connect it in the app settings.',
      { reason: 'not_connected' },
    );
  }
  if (tenant.status === 'disconnected') {
    throw new AppError(
      'forbidden',
      'This account was disconnected from DisputeDesk; reconnect it in the app settings.',
      { reason: 'disconnected' },
    );
  }
  return tenant;
}

/** The body's bytes as received (kept by the JSON parser's verify hook in routes.ts). */
export function keepRawBody(req: Request, _res: unknown, buf: Buffer) {
  (req as Request & { rawBody?: Buffer }).rawBody = buf;
}

const rawBodyOf = (req: Request) => (req as Request & { rawBody?: Buffer }).rawBody;
