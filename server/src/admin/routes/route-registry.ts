// Admin routes are declared once — method, path, required role, zod schemas of path, query,
// body and answer, and the use case to call — and that declaration both mounts the Express
// handler and writes the OpenAPI 3.1 document, so the two cannot drift. The handler refuses text
// Postgres cannot store, checks the role, parses input, and only then runs the use case; every
// call that is not a GET is audited (refused ones too), write-ahead: the row is committed before
// the action starts, or the action does not run (audit-log.ts).
import type { Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../../db.ts';
import { AppError } from '../../errors.ts';
import { parse } from '../../http/parse.ts';
import type { Logger } from '../../logger.ts';
import { assertStorable } from '../../http/storable.ts';
import { markReads, readPool } from '../../http/read-source.ts';
import type { ReadRouting } from '../../read-routing.ts';
import { completeAudit, startAudit, writeAudit } from '../access/audit-log.ts';
import { adminActor } from '../access/authenticate-admin.ts';
import { allows, type Actor, type Role } from '../access/roles.ts';

type AnyObject = z.ZodObject<z.ZodRawShape>;
const empty = z.object({});

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  ip: string | null;
  /**
   * Where a GET reads, chosen on first call: the replica when one is configured and current for
   * this caller (their own writes, and the tenant's, replayed), else the primary. Other methods:
   * the primary.
   */
  read: () => Promise<Pool>;
}

export interface AdminRoute {
  method: 'get' | 'post' | 'delete';
  path: string;
  role: Role;
  summary: string;
  tag: string;
  params: AnyObject;
  query: AnyObject;
  body: z.ZodType | null;
  status: number;
  response: z.ZodType;
  /** Answers a CSV file (the handler returns its text) instead of JSON. */
  csv?: { filename: string };
  handle(input: RouteInput<unknown, unknown, unknown>): Promise<unknown>;
}

export function route<
  P extends AnyObject = typeof empty,
  Q extends AnyObject = typeof empty,
  B extends z.ZodType = z.ZodUndefined,
>(spec: {
  method: AdminRoute['method'];
  path: string;
  role: Role;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  status?: number;
  response: z.ZodType;
  csv?: { filename: string };
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}): AdminRoute {
  return {
    ...spec,
    params: spec.params ?? empty,
    query: spec.query ?? empty,
    body: spec.body ?? null,
    status: spec.status ?? 200,
    handle: (input) => spec.handle(input as RouteInput<z.output<P>, z.output<Q>, z.output<B>>),
  };
}

export function mountAdminRoutes(
  router: Router,
  routes: readonly AdminRoute[],
  deps: { pool: Pool; logger: Logger; reads?: ReadRouting },
) {
  for (const r of routes) {
    const action = `${r.method.toUpperCase()} ${r.path}`;
    router[r.method](r.path, async (req, res) => {
      const actor = adminActor(res);
      const params = req.params as Record<string, string>;
      const entry = {
        actor,
        action,
        target: Object.values(params)[0] ?? null,
        params: { path: params, query: req.query, body: (req.body as unknown) ?? null },
        ip: req.ip ?? null,
      };
      let auditId: string | null = null;
      const audit = async (status: number, result: unknown) => {
        if (r.method === 'get') return;
        if (auditId) await completeAudit(deps.pool, auditId, status, result);
        else await writeAudit(deps.pool, { ...entry, status, result });
      };
      try {
        assertStorable({ path: params, query: req.query, body: req.body as unknown });
        if (!allows(actor.role, r.role)) {
          throw new AppError(
            'forbidden',
            `${action} needs the ${r.role} role; this token is ${actor.role}.`,
            {
              required: r.role,
              role: actor.role,
            },
          );
        }
        const parsedParams = parse(r.params, params, 'path');
        // Support staff read their own writes: scoped by their token and the tenant acted on.
        const tenantId = (parsedParams as { tenantId?: unknown }).tenantId;
        const scopes = [
          `admin:${actor.id ?? actor.name}`,
          ...(typeof tenantId === 'string' ? [tenantId] : []),
        ];
        if (deps.reads) await markReads(deps.reads, req.method, res, scopes);
        const input = {
          params: parsedParams,
          query: parse(r.query, req.query, 'query'),
          body: r.body ? parse(r.body, req.body ?? {}, 'body') : undefined,
          actor,
          ip: req.ip ?? null,
          read: () => readPool(res, deps.pool),
        };
        if (r.method !== 'get') auditId = await startAudit(deps.pool, entry);
        const out = await r.handle(input);
        await audit(r.status, out).catch((e: unknown) =>
          deps.logger.error({ err: e, action, auditId }, 'audit outcome not recorded'),
        );
        if (r.csv)
          res
            .status(r.status)
            .type('text/csv; charset=utf-8')
            .set('content-disposition', `attachment; filename="${r.csv.filename}"`)
            .set('cache-control', 'no-store')
            .send(out);
        else res.status(r.status).json(out);
      } catch (err) {
        await audit(err instanceof AppError ? err.status : 500, {
          error: err instanceof AppError ? err.code : 'internal',
        }).catch((e: unknown) => deps.logger.error({ err: e, action }, 'audit write failed'));
        throw err;
      }
    });
  }
}

// --- OpenAPI 3.1 ---------------------------------------------------------------------------------

const jsonSchema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' });
  return rest;
};

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const operationId = (r: AdminRoute) =>
  `${r.method}_${r.path
    .replace(/^\/admin\/v1\//, '')
    .replace(/:(\w+)/g, 'by_$1')
    .replace(/[^A-Za-z0-9]+/g, '_')}`;

export function openApiDocument(routes: readonly AdminRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...Object.entries(r.params.shape).map(([name, s]) => ({
        name,
        in: 'path',
        required: true,
        schema: jsonSchema(s as z.ZodType, 'input'),
      })),
      ...Object.entries(r.query.shape).map(([name, s]) => ({
        name,
        in: 'query',
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(s as z.ZodType, 'input'),
      })),
    ];
    (paths[path] ??= {})[r.method] = {
      operationId: operationId(r),
      summary: r.summary,
      tags: [r.tag],
      description: `Requires the **${r.role}** role.${r.method === 'get' ? '' : ' Recorded in the audit log.'}`,
      'x-required-role': r.role,
      security: [{ bearerAuth: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(r.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(r.status)]: {
          description: 'Success.',
          content: r.csv
            ? { 'text/csv': { schema: { type: 'string' } } }
            : { 'application/json': { schema: jsonSchema(r.response, 'output') } },
        },
        '400': errorResponse('The request does not match the schema (details.issues says where).'),
        '401': errorResponse('No token, or an unknown, expired or revoked one.'),
        '403': errorResponse('The token’s role is too weak for this route.'),
        '404': errorResponse('No such object.'),
        '429': errorResponse('Rate limited (Retry-After says when to retry).'),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'DisputeDesk admin API',
      version: '1',
      description:
        'For support staff. Bearer tokens are created with `npm run admin -- token create`; roles: viewer (read), operator (replay, backfill, pause, rotate), admin (tokens, purge, audit log). Errors: `{ error: { code, message, details? } }`. Lists page with `cursor` → `next_cursor`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
    paths,
  };
}
