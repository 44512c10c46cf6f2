// Support staff roles, weakest first: viewer reads; operator also replays, backfills, pauses and
// rotates; admin also manages tokens, purges and reads the audit log.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const allows = (has: Role, needs: Role) => ROLES.indexOf(has) >= ROLES.indexOf(needs);

export interface Actor {
  /** The token's id; null for a bootstrap token from ADMIN_API_TOKENS. */
  id: string | null;
  name: string;
  role: Role;
}
