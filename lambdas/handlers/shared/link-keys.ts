/** The HMAC keys of links in AWS (the one-click links and the API's calendar feed URLs). */
import type { TokenSource } from '../../core/ports';
import { SecretsManagerTokens } from '../../adapters/secrets/token-source';
import { secretsClient } from './aws';
import { env } from './env';

/** The keys of the action link secret (two during a rotation). */
export function awsLinkKeys(): TokenSource {
  return new SecretsManagerTokens(secretsClient(), env.actionLinkSecretId());
}
