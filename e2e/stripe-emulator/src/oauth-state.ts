// The OAuth part of the emulator's state: the app's client, its codes and refresh tokens, what its
// access tokens may do, and its managed sandbox. Kept apart from oauth.ts (the routes), so the
// state does not import the routes that read it.
import type { Permissions } from './access.ts';

export interface OAuthConnection {
  account: string;
  platform: string;
}

export interface OAuthState {
  clientId: string;
  accessTokenTtlSeconds: number;
  /** Codes; `livemode` when the install was started for one mode (Stripe's per-mode install links). */
  codes: Map<string, { account: string; platform: string; expiresAt: number; livemode?: boolean }>;
  /** refresh token → connection (mode is fixed at the first exchange). */
  refreshTokens: Map<string, OAuthConnection & { livemode: boolean }>;
  /** What the app's access tokens may do (its manifest's permissions); null: everything. */
  grant: Permissions | null;
  /** The app's managed sandbox account: the platform of installs made in a user's sandbox. */
  sandboxPlatform: string | null;
}

export const newOAuthState = (): OAuthState => ({
  clientId: 'ca_emulator_platform',
  accessTokenTtlSeconds: 3600,
  codes: new Map(),
  refreshTokens: new Map(),
  grant: null,
  sandboxPlatform: null,
});
