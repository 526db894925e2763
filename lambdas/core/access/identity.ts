/**
 * Who is calling the human API, from the claims of a verified token: a pure function shared by the AWS path (API
 * Gateway's JWT authorizer verified the token; the handler reads its claims) and the local runtime (a local user's
 * token stands for `cognito:username` = the person's name). No signature checks here: the caller verified the token.
 *
 * Role: a configured person's `role` wins; otherwise the highest role whose groups or scopes (`access.roles`) the
 * token carries (`cognito:groups`, the `groupsClaim`, `scope`/`scp`); otherwise `viewer` for a configured person and
 * no role at all for anybody else (every route then answers 403 naming the role it needs).
 */
import type { AccessConfig } from '../config/access.schema';
import { DEFAULT_ROLE_MAPPING } from '../config/access.schema';
import { ForbiddenError } from '../errors';
import { highestRole, roleIncludes, ROLES, type Role } from './roles';

/** How the caller authenticated (the `via` of `GET /api/me`). */
export type Via = 'jwt' | 'local-user' | 'api-token' | 'machine';

export interface Identity {
  /** Recorded on every write: the person's name, else the email, username or subject; a machine client's name. */
  actor: string;
  role: Role | null;
  via: Via;
}

/** The people of the config, as far as identity goes. */
export interface PersonIdentity {
  name: string;
  role?: Role | undefined;
  identity?: { email?: string | undefined; subject?: string | undefined } | undefined;
}

type AccessLike = Pick<AccessConfig, 'groupsClaim' | 'roles' | 'machineClients'>;

const DEFAULT_ACCESS: AccessLike = { groupsClaim: 'groups', roles: DEFAULT_ROLE_MAPPING, machineClients: [] };

/**
 * A claim as a list of strings: a JSON array, or a string of values separated by spaces or commas. API Gateway's JWT
 * authorizer hands array claims to the function as one string, `"[admin viewer]"`, which is read the same way.
 */
export function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.length > 0);
  if (typeof value !== 'string') return [];
  const inner = /^\[(.*)\]$/s.exec(value.trim())?.[1] ?? value;
  return inner.split(/[\s,]+/).map((v) => v.replace(/^"|"$/g, '')).filter((v) => v.length > 0);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function tokenRole(claims: Record<string, unknown>, access: AccessLike): Role | null {
  const values = new Set([
    ...claimValues(claims['cognito:groups']), ...claimValues(claims[access.groupsClaim]), ...claimValues(claims.scope), ...claimValues(claims.scp),
  ]);
  return highestRole(ROLES.map((role) => (access.roles[role].some((g) => values.has(g)) ? role : null)));
}

function findPerson(people: readonly PersonIdentity[], claims: Record<string, unknown>): PersonIdentity | undefined {
  const sub = str(claims.sub);
  // An address the issuer says is not verified names nobody (anyone can type one into a self-service profile).
  const email = claims.email_verified === false || claims.email_verified === 'false' ? undefined : str(claims.email)?.toLowerCase();
  const username = str(claims['cognito:username']) ?? str(claims.username);
  return people.find((p) => (sub !== undefined && p.identity?.subject === sub))
    ?? people.find((p) => email !== undefined && p.identity?.email?.toLowerCase() === email)
    ?? people.find((p) => username !== undefined && p.name === username);
}

/** The identity of a verified token's claims, under the config's `access` section (defaults without one) and people. */
export function identityFromClaims(claims: Record<string, unknown>, access: AccessLike | undefined, people: readonly PersonIdentity[]): Identity {
  const a = access ?? DEFAULT_ACCESS;
  const role = tokenRole(claims, a);
  const clientId = str(claims.client_id) ?? str(claims.cid) ?? str(claims.azp) ?? str(claims.appid);
  const configured = clientId === undefined ? undefined : a.machineClients.find((m) => m.clientId === clientId);
  if (configured) return { actor: configured.name, role: configured.role, via: 'machine' };
  const human = str(claims['cognito:username']) ?? str(claims.username) ?? str(claims.email) ?? str(claims.preferred_username);
  // A client-credentials token names no user: Cognito's `sub` is the client id, Entra ID says `idtyp: app`.
  if (clientId !== undefined && human === undefined && (claims.sub === undefined || claims.sub === clientId || claims.idtyp === 'app')) {
    return { actor: `client:${clientId}`, role, via: 'machine' };
  }
  const person = findPerson(people, claims);
  return {
    actor: person?.name ?? str(claims.email) ?? human ?? str(claims.sub) ?? 'unknown',
    role: person?.role ?? role ?? (person ? 'viewer' : null),
    via: 'jwt',
  };
}

/** Throws 403 naming the role needed unless the identity has it. */
export function requireRole(identity: Identity, need: Role): void {
  if (!roleIncludes(identity.role, need)) {
    throw new ForbiddenError(`requires role ${need}`, { requiredRole: need, role: identity.role, actor: identity.actor });
  }
}
