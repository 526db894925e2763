/**
 * Login. The console reads /config.json at start:
 * - `{"auth":{"kind":"token"}}` (local runtime): paste the API token (or a person's token) printed by `npm start`;
 *   kept in sessionStorage only (gone when the tab closes);
 * - `{"auth":{"kind":"oidc","authority","clientId","scope"}}` (AWS): OIDC authorization code + PKCE against the
 *   Cognito user pool or the configured issuer (oidc-client-ts, loaded only then); the access token is the bearer.
 */
import { setToken } from './api';

export type AuthConfig = { kind: 'token' } | { kind: 'oidc'; authority: string; clientId: string; scope?: string };

export async function loadAuthConfig(): Promise<AuthConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`cannot read /config.json (HTTP ${res.status})`);
  const c = (await res.json()) as { auth?: AuthConfig };
  if (c.auth?.kind === 'oidc' && c.auth.authority && c.auth.clientId) return c.auth;
  return { kind: 'token' };
}

async function userManager(c: Extract<AuthConfig, { kind: 'oidc' }>) {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  return new UserManager({
    authority: c.authority,
    client_id: c.clientId,
    redirect_uri: `${window.location.origin}/`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: 'code',
    scope: c.scope ?? 'openid profile email',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

/** Completes an OIDC redirect (`?code=...&state=...`) if this page load is one; answers whether it signed in. */
export async function completeOidcLogin(c: AuthConfig): Promise<boolean> {
  if (c.kind !== 'oidc') return false;
  const um = await userManager(c);
  const params = new URLSearchParams(window.location.search);
  if (params.has('code') && params.has('state')) {
    const user = await um.signinRedirectCallback();
    setToken(user.access_token);
    window.history.replaceState({}, '', '/');
    return true;
  }
  const user = await um.getUser();
  if (user && !user.expired) {
    setToken(user.access_token);
    return true;
  }
  return false;
}

export async function startOidcLogin(c: AuthConfig): Promise<void> {
  if (c.kind !== 'oidc') return;
  await (await userManager(c)).signinRedirect();
}

export async function logout(c: AuthConfig | null): Promise<void> {
  setToken(null);
  if (c?.kind === 'oidc') await (await userManager(c)).removeUser();
}
