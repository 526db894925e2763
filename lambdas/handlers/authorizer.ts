/**
 * Handler: the HTTP API Lambda authorizer of the `bearer` routes (payload 2.0, simple responses): `Authorization:
 * Bearer <token>` compared in constant time with the API token from Secrets Manager (the admin), and locally with
 * each configured person's token (their role from the same core as a JWT's claims, core/access/identity.ts). The
 * context says who: `{actor, role, via}`; the API's router checks the role each route needs. In AWS with an `access`
 * section, API Gateway's JWT authorizer replaces this one (lib/constructs/identity.ts). The local runtime runs this
 * same handler in front of the API routes.
 */
import type { Context } from 'aws-lambda';
import { identityFromClaims } from '../core/access/identity';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import type { TokenSource } from '../core/ports';
import { SecretsManagerTokens, tokenMatches } from '../adapters/secrets/token-source';
import { secretsClient, once } from './shared/aws';
import { env } from './shared/env';
import { logger } from './shared/logger';

export interface AuthorizerEvent {
  headers?: Record<string, string | undefined>;
  identitySource?: string[];
}

export interface AuthorizerResult {
  isAuthorized: boolean;
  context?: Record<string, string>;
}

export interface AuthorizerDeps {
  /** The API token(s): the admin. */
  tokens: TokenSource;
  /** Local users: a token per configured person (person name -> token), with the config that gives their role. */
  users?: { tokens: Readonly<Record<string, string>>; config: Pick<PipelineConfig, 'access' | 'people'> };
}

function bearerOf(event: AuthorizerEvent): string | undefined {
  let value: string | undefined;
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === 'authorization') value = v;
  value ??= event.identitySource?.[0];
  return /^Bearer\s+(\S+)$/i.exec(value ?? '')?.[1];
}

export function createAuthorizerHandler(deps: AuthorizerDeps) {
  return async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    const token = bearerOf(event);
    if (!token) return { isAuthorized: false };
    if (tokenMatches(token, await deps.tokens.tokens())) {
      return { isAuthorized: true, context: { principal: 'api-token', actor: 'api-token', role: 'admin', via: 'api-token' } };
    }
    // Every person's token is compared (constant time each), so the time taken does not say whose matched.
    let person: string | undefined;
    for (const [name, t] of Object.entries(deps.users?.tokens ?? {})) if (tokenMatches(token, [t]) && person === undefined) person = name;
    if (person === undefined || !deps.users) return { isAuthorized: false };
    const identity = identityFromClaims({ 'cognito:username': person }, deps.users.config.access, deps.users.config.people);
    return { isAuthorized: true, context: { principal: `user:${person}`, actor: identity.actor, role: identity.role ?? '', via: 'local-user' } };
  };
}

const awsHandler = once(() => createAuthorizerHandler({ tokens: new SecretsManagerTokens(secretsClient(), env.apiTokenSecretId()) }));

export const handler = (event: AuthorizerEvent, context: Context) => {
  logger.addContext(context);
  return awsHandler()(event);
};
