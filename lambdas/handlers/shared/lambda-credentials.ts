/**
 * The AWS SDK's default credential provider as the Lambda bundles see it. lib/constructs/defaults.ts `bundlingOptions`
 * aliases `@aws-sdk/credential-provider-node` (the full chain: environment, SSO, ini files, process, web identity,
 * container and instance metadata, with their nested STS and SSO clients) to this module: in Lambda the chain always
 * stops at its first link, the environment variables Lambda sets for the execution role, so the rest is ~130 KB of
 * bundle and import time that never runs. Same contract as the SDK's `defaultProvider(init)` and its `fromEnv` link.
 * Not used outside the bundles (the local runtime, tests and scripts resolve the real package).
 */
import { ConfigError } from '../../core/errors';

export interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  credentialScope?: string;
  accountId?: string;
}

/** Reads the execution role's credentials from the environment at each call (the SDK caches and refreshes them). */
export function defaultProvider(_init?: unknown): () => Promise<EnvCredentials> {
  return async () => {
    const e = process.env;
    const accessKeyId = e.AWS_ACCESS_KEY_ID;
    const secretAccessKey = e.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) throw ConfigError.problem('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them for the execution role)');
    return {
      accessKeyId,
      secretAccessKey,
      ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}),
      ...(e.AWS_CREDENTIAL_EXPIRATION ? { expiration: new Date(e.AWS_CREDENTIAL_EXPIRATION) } : {}),
      ...(e.AWS_CREDENTIAL_SCOPE ? { credentialScope: e.AWS_CREDENTIAL_SCOPE } : {}),
      ...(e.AWS_ACCOUNT_ID ? { accountId: e.AWS_ACCOUNT_ID } : {}),
    };
  };
}
