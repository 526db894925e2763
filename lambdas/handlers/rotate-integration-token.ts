/**
 * Handler: the rotation function of the integration token secrets, invoked by Secrets Manager once per rotation
 * step (`aws secretsmanager rotate-secret`, docs/deploy.md "Integrations and token rotation"). The new token becomes
 * current and the old one stays valid for the integration's `rotationGraceHours` (core/integrations/rotation.ts).
 * Only the secrets of the config's live integrations are rotated (and granted).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { InvalidPayloadError } from '../core/errors';
import { RotationEventSchema, rotateTokenStep } from '../core/integrations/rotation';
import type { Clock, SecretVersions } from '../core/ports';
import { SecretsManagerVersions } from '../adapters/secrets/secret-versions';
import { once, secretsClient } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { logger } from './shared/logger';

export interface RotateIntegrationTokenDeps {
  config: PipelineConfig;
  versions: SecretVersions;
  /** Integration name -> the name of its token secret (INTEGRATION_TOKEN_SECRETS). */
  secretNames: Readonly<Record<string, string>>;
  clock: Clock;
  newToken(): string;
}

/** A new token: 32 characters of base64url (192 random bits). */
export const newIntegrationToken = () => randomBytes(24).toString('base64url');

export function createRotateIntegrationTokenHandler(deps: RotateIntegrationTokenDeps) {
  // The config's own list, not integrationsOf: that reads the source registry (every normalizer and CEL) for a
  // `source` rotation does not use. `default` has no secret of its own here (it uses the ingest token).
  const live = deps.config.integrations.filter((i) => !i.revoked);
  const integrationOfSecret = (secretName: string) => live.find((i) => deps.secretNames[i.name] === secretName) ?? null;
  return middy<unknown, void>(async (event: unknown) => {
    const parsed = z.safeParse(RotationEventSchema, event);
    if (!parsed.success) throw new InvalidPayloadError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const done = await rotateTokenStep(parsed.data, { versions: deps.versions, integrationOfSecret, newToken: deps.newToken, nowMs: deps.clock.now().getTime() });
    logger.info('token rotation step', { step: parsed.data.Step, secretId: parsed.data.SecretId, done });
  });
}

const awsHandler = once(() => createRotateIntegrationTokenHandler({
  config: deployedConfig(),
  versions: new SecretsManagerVersions(secretsClient()),
  secretNames: env.integrationTokenSecrets(),
  clock: { now: () => new Date() },
  newToken: newIntegrationToken,
}));

export const handler = (event: unknown, context: Context) => awsHandler()(event, context);
