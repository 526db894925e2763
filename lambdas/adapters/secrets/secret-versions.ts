/**
 * SecretVersions over Secrets Manager (the token rotation function), and a local stand-in over the integration
 * secrets of `DATA_DIR/local-secrets.json`.
 */
import {
  DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NotFoundError } from '../../core/errors';
import type { SecretVersions } from '../../core/ports';

export class SecretsManagerVersions implements SecretVersions {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string) {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { name: out.Name ?? secretId, versions: out.VersionIdsToStages ?? {} };
  }

  async value(secretId: string, version: { versionId: string } | { stage: 'AWSCURRENT' | 'AWSPENDING'; versionId?: string }) {
    try {
      const out = await this.client.send(new GetSecretValueCommand({
        SecretId: secretId,
        ...('stage' in version ? { VersionStage: version.stage } : {}),
        ...(version.versionId !== undefined ? { VersionId: version.versionId } : {}),
      }));
      return out.SecretString ?? null;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return null;
      throw err;
    }
  }

  async putPending(secretId: string, versionId: string, value: string) {
    await this.client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: value, VersionStages: ['AWSPENDING'] }));
  }

  async promote(secretId: string, to: string, from: string) {
    await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: to, RemoveFromVersionId: from }));
  }
}

/**
 * The local runtime's secrets as versioned secrets: the secret id is the integration's name, its current value the
 * stored one. `begin` stands in for Secrets Manager's RotateSecret (a new version id labelled AWSPENDING, no value
 * yet); the pending value lives in memory until `promote` stores it (`save` persists the file).
 */
export class LocalSecretVersions implements SecretVersions {
  private readonly pending = new Map<string, { versionId: string; value: string | null }>();
  private readonly currentVersion = new Map<string, string>();

  constructor(
    /** The stored secrets by secret id (changed in place on promote). */
    private readonly secrets: Record<string, unknown>,
    private readonly save: () => void,
  ) {}

  private require(secretId: string): void {
    if (!Object.hasOwn(this.secrets, secretId)) throw new NotFoundError(`no secret ${secretId}`);
  }

  /** Opens a rotation: version `versionId` labelled AWSPENDING, without a value. */
  begin(secretId: string, versionId: string): void {
    this.require(secretId);
    this.pending.set(secretId, { versionId, value: null });
  }

  async describe(secretId: string) {
    this.require(secretId);
    const current = this.currentVersion.get(secretId) ?? 'initial';
    const p = this.pending.get(secretId);
    return { name: secretId, versions: { [current]: ['AWSCURRENT'], ...(p ? { [p.versionId]: ['AWSPENDING'] } : {}) } };
  }

  async value(secretId: string, version: { versionId: string } | { stage: 'AWSCURRENT' | 'AWSPENDING'; versionId?: string }) {
    this.require(secretId);
    const p = this.pending.get(secretId);
    const current = this.currentVersion.get(secretId) ?? 'initial';
    if ('stage' in version && version.stage === 'AWSPENDING') return p && (version.versionId ?? p.versionId) === p.versionId ? p.value : null;
    if (version.versionId !== undefined && version.versionId === p?.versionId) return p.value;
    if (version.versionId !== undefined && version.versionId !== current) return null;
    return JSON.stringify(this.secrets[secretId]);
  }

  async putPending(secretId: string, versionId: string, value: string) {
    this.require(secretId);
    this.pending.set(secretId, { versionId, value });
  }

  async promote(secretId: string, to: string) {
    const p = this.pending.get(secretId);
    if (!p || p.versionId !== to || p.value === null) throw new NotFoundError(`no pending value of version ${to} of ${secretId}`);
    this.secrets[secretId] = JSON.parse(p.value) as unknown;
    this.pending.delete(secretId);
    this.currentVersion.set(secretId, to);
    this.save();
  }
}
