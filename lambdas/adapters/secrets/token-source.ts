/**
 * Secret tokens (ingest path tokens, the API bearer token) and their constant-time comparison.
 * In AWS they come from Secrets Manager as `{"token": "...", "previousToken": "..."}` (two during rotation),
 * cached for five minutes; locally they are fixed values.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenSource } from '../../core/ports';

export class StaticTokens implements TokenSource {
  constructor(private readonly values: readonly string[]) {}
  async tokens(): Promise<string[]> {
    return [...this.values];
  }
}

export class SecretsManagerTokens implements TokenSource {
  private cached: { at: number; values: string[] } | null = null;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly ttlMs = 5 * 60 * 1000,
  ) {}

  async tokens(): Promise<string[]> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.values;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const parsed = JSON.parse(out.SecretString ?? '{}') as { token?: unknown; previousToken?: unknown };
    const values = [parsed.token, parsed.previousToken].filter((v): v is string => typeof v === 'string' && v.length > 0);
    this.cached = { at: now, values };
    return values;
  }
}

/**
 * Compares a presented token with the valid ones in constant time (hashing first, so length differences do not
 * leak either). Every candidate is compared, whichever matches.
 */
export function tokenMatches(presented: string | undefined | null, valid: readonly string[]): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) return false;
  const p = createHash('sha256').update(presented, 'utf8').digest();
  let ok = false;
  for (const v of valid) {
    const d = createHash('sha256').update(v, 'utf8').digest();
    if (timingSafeEqual(p, d)) ok = true;
  }
  return ok;
}
