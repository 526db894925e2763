/**
 * Notification channel secrets (`{"url": "...", "hmacKey": "..."}`) by name: Secrets Manager in AWS (name =
 * prefix + configured secret, cached five minutes), a JSON file or environment variables locally.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ChannelSecret } from '../notify/channel-sender';

function parseSecret(text: string | undefined): ChannelSecret | null {
  if (!text) return null;
  const trimmed = text.trim();
  if (trimmed.startsWith('https://') || trimmed.startsWith('http://')) return { url: trimmed };
  try {
    const v = JSON.parse(trimmed) as { url?: unknown; hmacKey?: unknown };
    if (typeof v.url !== 'string') return null;
    return typeof v.hmacKey === 'string' ? { url: v.url, hmacKey: v.hmacKey } : { url: v.url };
  } catch {
    return null;
  }
}

export class SecretsManagerChannelSecrets {
  private readonly cache = new Map<string, { at: number; value: ChannelSecret | null }>();

  constructor(private readonly client: SecretsManagerClient, private readonly prefix: string, private readonly ttlMs = 5 * 60 * 1000) {}

  async resolve(name: string): Promise<ChannelSecret | null> {
    const hit = this.cache.get(name);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    let value: ChannelSecret | null = null;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: `${this.prefix}${name}` }));
      value = parseSecret(out.SecretString);
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
    this.cache.set(name, { at: Date.now(), value });
    return value;
  }
}

/** Local channel secrets: `CHANNEL_SECRET_<NAME>` (upper case, non-alphanumerics as `_`), then the secrets file. */
export function localChannelSecrets(fromFile: Record<string, unknown>, environment: NodeJS.ProcessEnv) {
  return async (name: string): Promise<ChannelSecret | null> => {
    const envName = `CHANNEL_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    const fromEnv = parseSecret(environment[envName]);
    if (fromEnv) return fromEnv;
    const v = fromFile[name];
    return typeof v === 'string' ? parseSecret(v) : v && typeof v === 'object' ? parseSecret(JSON.stringify(v)) : null;
  };
}
