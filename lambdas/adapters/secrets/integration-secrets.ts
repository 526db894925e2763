/**
 * IntegrationSecrets: the token secret of each ingest integration. In AWS one Secrets Manager secret per
 * integration (the `default` integration reads the single ingest token's secret), each cached for five minutes; a
 * `fresh` read re-reads a value older than 30 seconds, so a token rotated in a moment ago is found on the first
 * request that presents it. Locally, the values of `DATA_DIR/local-secrets.json`.
 */
import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { IntegrationSecrets } from '../../core/ports';

export const SECRET_CACHE_MS = 5 * 60 * 1000;
export const FRESH_READ_AFTER_MS = 30 * 1000;

export class SecretsManagerIntegrationSecrets implements IntegrationSecrets {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly client: SecretsManagerClient,
    /** Integration name -> secret id (name or ARN). */
    private readonly secretIds: Readonly<Record<string, string>>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  secret(integration: string, options: { fresh?: boolean } = {}): Promise<unknown> {
    const secretId = this.secretIds[integration];
    if (secretId === undefined) return Promise.resolve(null);
    const now = this.nowMs();
    const hit = this.cache.get(integration);
    const maxAge = options.fresh ? FRESH_READ_AFTER_MS : SECRET_CACHE_MS;
    if (hit && now - hit.at < maxAge) return hit.value;
    const value = this.read(secretId);
    this.cache.set(integration, { at: now, value });
    // A failed read is not cached: the next request tries again.
    value.catch(() => this.cache.get(integration)?.value === value && this.cache.delete(integration));
    return value;
  }

  private async read(secretId: string): Promise<unknown> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return out.SecretString ? (JSON.parse(out.SecretString) as unknown) : null;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return null;
      throw err;
    }
  }
}

/** Fixed secrets (the local runtime, tests): integration name -> stored secret JSON. */
export class StaticIntegrationSecrets implements IntegrationSecrets {
  constructor(private readonly secrets: () => Readonly<Record<string, unknown>>) {}
  async secret(integration: string): Promise<unknown> {
    return this.secrets()[integration] ?? null;
  }
}
