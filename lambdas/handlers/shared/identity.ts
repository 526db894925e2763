/**
 * The caller of a `bearer` route, from what the authorizer put in the request context: the claims of the JWT API
 * Gateway verified (AWS with an `access` section: mapped by the core, core/access/identity.ts), or the context of the
 * Lambda authorizer (the API token: admin; locally, a person's token: the role the same core gave them).
 */
import { identityFromClaims, type Identity, type Via } from '../../core/access/identity';
import { ROLES, type Role } from '../../core/access/roles';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { AuthenticationError } from '../../core/errors';
import type { HttpEvent } from './http';

const VIAS: readonly Via[] = ['jwt', 'local-user', 'api-token', 'machine'];

function fromLambdaContext(ctx: Record<string, unknown>): Identity {
  // Before roles existed the authorizer said only `principal: api-token`: the API token is the admin.
  if (ctx.actor === undefined && ctx.principal === 'api-token') return { actor: 'api-token', role: 'admin', via: 'api-token' };
  const role = ROLES.includes(ctx.role as Role) ? (ctx.role as Role) : null;
  const via = VIAS.includes(ctx.via as Via) ? (ctx.via as Via) : 'api-token';
  return { actor: String(ctx.actor ?? 'unknown'), role, via };
}

/** Who is calling; a request without an authorizer context (a route wired without one) is refused with 401. */
export function identityOf(event: HttpEvent, config: Pick<PipelineConfig, 'access' | 'people'>): Identity {
  const authorizer = event.requestContext?.authorizer;
  if (authorizer?.jwt) {
    const { claims, scopes } = authorizer.jwt;
    const withScopes = scopes && scopes.length > 0 && claims.scope === undefined ? { ...claims, scope: scopes.join(' ') } : claims;
    return identityFromClaims(withScopes, config.access, config.people);
  }
  if (authorizer?.lambda) return fromLambdaContext(authorizer.lambda);
  throw new AuthenticationError('no authenticated caller');
}
