// `npm run admin -- token …`: the way the first (and any) support token is made, on a machine
// with database access. Creation is audited like an API call, with the operating system's user
// as the actor. The token is printed once.
import os from 'node:os';
import type { Pool } from '../../db.ts';
import { writeAudit } from './audit-log.ts';
import { ROLES, type Role } from './roles.ts';
import { createAdminToken, listAdminTokens, MAX_TOKEN_DAYS, revokeAdminToken } from './tokens.ts';

export const USAGE = `usage:
  npm run admin -- token create --role viewer|operator|admin --name <who> [--expires-in-days 90]
  npm run admin -- token list
  npm run admin -- token revoke <token id>`;

export class UsageError extends Error {}

function flags(args: string[]) {
  const out: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`--${k} needs a value`);
      out[k] = v;
    } else rest.push(a);
  }
  return { flags: out, rest };
}

/** Runs one command and returns the lines to print. */
export async function runAdminCommand(pool: Pool, argv: string[]): Promise<string[]> {
  const [group, verb, ...args] = argv;
  if (group !== 'token') throw new UsageError(USAGE);
  const { flags: f, rest } = flags(args);
  const actor = {
    id: null,
    name: `cli (${os.userInfo().username}@${os.hostname()})`,
    role: 'admin' as const,
  };
  switch (verb) {
    case 'create': {
      const role = f.role as Role;
      if (!ROLES.includes(role))
        throw new UsageError(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`);
      if (!f.name) throw new UsageError(`--name is required (who will use the token)\n${USAGE}`);
      const days = Number(f['expires-in-days'] ?? 90);
      if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
        throw new UsageError(`--expires-in-days must be 1 to ${MAX_TOKEN_DAYS}`);
      }
      const t = await createAdminToken(pool, {
        name: f.name,
        role,
        expiresInDays: days,
        createdBy: actor.name,
      });
      await writeAudit(pool, {
        actor,
        action: 'CLI token create',
        target: t.id,
        params: { name: f.name, role, expiresInDays: days },
        status: 201,
        result: { id: t.id, role: t.role, expiresAt: t.expiresAt },
        ip: null,
      });
      return [
        `Created ${t.role} token ${t.id} for ${t.name}, valid until ${t.expiresAt}.`,
        '',
        `  ${t.token}`,
        '',
        'It is shown only now (stored as a hash). Use it as: Authorization: Bearer <token>',
      ];
    }
    case 'list': {
      const tokens = await listAdminTokens(pool);
      if (tokens.length === 0) return ['No admin tokens.'];
      return tokens.map(
        (t) =>
          `${t.id}  ${t.role.padEnd(8)} ${t.name}  ${t.hint}  ${t.revokedAt ? `revoked ${t.revokedAt}` : `expires ${t.expiresAt}`}  last used ${t.lastUsedAt ?? 'never'}`,
      );
    }
    case 'revoke': {
      const id = rest[0];
      if (!id) throw new UsageError(USAGE);
      const t = await revokeAdminToken(pool, id);
      await writeAudit(pool, {
        actor,
        action: 'CLI token revoke',
        target: t.id,
        params: { id },
        status: 200,
        result: { revokedAt: t.revokedAt },
        ip: null,
      });
      return [`Revoked token ${t.id} (${t.name}) at ${t.revokedAt}.`];
    }
    default:
      throw new UsageError(USAGE);
  }
}
