/**
 * Handler: the HTTP API Lambda authorizer for `/api/...` (payload 2.0, simple responses): `Authorization: Bearer
 * <token>` compared in constant time with the API token from Secrets Manager. The local runtime runs this same
 * handler in front of the API routes.
 */
import type { Context } from 'aws-lambda';
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

export function createAuthorizerHandler(deps: { tokens: TokenSource }) {
  return async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    let value: string | undefined;
    for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === 'authorization') value = v;
    value ??= event.identitySource?.[0];
    const m = /^Bearer\s+(\S+)$/i.exec(value ?? '');
    if (!m || !tokenMatches(m[1], await deps.tokens.tokens())) return { isAuthorized: false };
    return { isAuthorized: true, context: { principal: 'api-token' } };
  };
}

const awsHandler = once(() => createAuthorizerHandler({ tokens: new SecretsManagerTokens(secretsClient(), env.apiTokenSecretId()) }));

export const handler = (event: AuthorizerEvent, context: Context) => {
  logger.addContext(context);
  return awsHandler()(event);
};
