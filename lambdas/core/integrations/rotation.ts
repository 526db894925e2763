/**
 * Rotation of an integration's token by Secrets Manager's rotation protocol (a rotation function invoked four times
 * per rotation): `createSecret` stores the rotated secret as AWSPENDING (the new token current, the old one
 * `previous` until the integration's grace period ends), `setSecret` has nothing to set (the sender is an external
 * system a person updates), `testSecret` checks the pending value holds a token, `finishSecret` moves AWSCURRENT to
 * it. Every step can run twice (Secrets Manager retries) with the same result.
 */
import * as z from 'zod/mini';
import { InvalidPayloadError, NotFoundError } from '../errors';
import type { SecretVersions } from '../ports';
import type { Integration } from './config';
import { rotatedSecret, tokensOfSecret } from './tokens';

export const RotationEventSchema = z.object({
  Step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
  SecretId: z.string().check(z.minLength(1)),
  ClientRequestToken: z.string().check(z.minLength(1)),
});
export type RotationEvent = z.infer<typeof RotationEventSchema>;

export interface RotationDeps {
  versions: SecretVersions;
  /** The live integration whose token secret has this name (null: not an integration token; refused). */
  integrationOfSecret(secretName: string): Pick<Integration, 'name' | 'rotationGraceHours'> | null;
  newToken(): string;
  nowMs: number;
}

const parse = (text: string | null): unknown => {
  try {
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
};

/** Runs one step of a rotation; returns what it did, for the log. */
export async function rotateTokenStep(event: RotationEvent, deps: RotationDeps): Promise<string> {
  const { versions } = deps;
  const { SecretId: id, ClientRequestToken: token, Step: stepName } = event;
  const described = await versions.describe(id);
  const integration = deps.integrationOfSecret(described.name);
  if (!integration) throw new NotFoundError(`secret ${described.name} is not the token of a live integration`);
  const stages = described.versions[token];
  if (!stages) throw new InvalidPayloadError([{ path: 'ClientRequestToken', message: `version ${token} of ${described.name} does not exist` }]);
  if (stages.includes('AWSCURRENT')) return `${stepName}: version ${token} is already current`;
  if (!stages.includes('AWSPENDING')) throw new InvalidPayloadError([{ path: 'ClientRequestToken', message: `version ${token} is not pending rotation` }]);

  switch (stepName) {
    case 'createSecret': {
      if ((await versions.value(id, { stage: 'AWSPENDING', versionId: token })) !== null) return 'createSecret: the pending version exists';
      const current = parse(await versions.value(id, { stage: 'AWSCURRENT' }));
      const next = rotatedSecret(current, deps.newToken(), deps.nowMs, integration.rotationGraceHours);
      await versions.putPending(id, token, JSON.stringify(next));
      return `createSecret: new token for integration ${integration.name}${next.previousValidUntil ? `, previous accepted until ${next.previousValidUntil}` : ''}`;
    }
    case 'setSecret':
      return 'setSecret: nothing to set (the sender is updated by a person)';
    case 'testSecret': {
      const pending = parse(await versions.value(id, { versionId: token }));
      if (tokensOfSecret(pending).length === 0) throw new InvalidPayloadError([{ path: 'current', message: 'the pending version holds no token' }]);
      return 'testSecret: the pending version holds a token';
    }
    case 'finishSecret': {
      const from = Object.entries(described.versions).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      if (from === undefined) throw new InvalidPayloadError([{ path: 'SecretId', message: `${described.name} has no current version` }]);
      await versions.promote(id, token, from);
      return `finishSecret: version ${token} is current`;
    }
  }
}
