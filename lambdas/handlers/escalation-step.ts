/**
 * Handler: the Page task of the escalation state machine (and the asynchronous single-step page). Input and output
 * are the EscalationState the state machine carries between its Wait and Choice states.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { EscalationState } from '../core/escalation/plan';
import { runEscalationStep, type EscalationDeps } from '../core/escalation/run';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { ChannelSender } from '../adapters/notify/channel-sender';
import { snsDirectSender } from '../adapters/notify/sns-direct-sender';
import { SecretsManagerChannelSecrets } from '../adapters/secrets/channel-secrets';
import { SecretsManagerTokens } from '../adapters/secrets/token-source';
import { dynamodbClient, once, secretsClient, snsClient } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { ConfigError } from '../core/errors';

export function createEscalationStepHandler(deps: () => Promise<EscalationDeps>) {
  return middy<EscalationState, EscalationState>(async (state: EscalationState) => runEscalationStep(await deps(), state));
}

const linkKeys = once(() => new SecretsManagerTokens(secretsClient(), env.actionLinkSecretId()));

const awsDeps = once(() => {
  const config = deployedConfig();
  const secrets = new SecretsManagerChannelSecrets(secretsClient(), env.channelSecretPrefix());
  return { config, secrets };
});

export const handler = createEscalationStepHandler(async () => {
  const { config, secrets } = awsDeps();
  const [key] = await linkKeys().tokens();
  if (!key) throw ConfigError.problem('the action link secret has no token');
  return {
    config,
    store: new DynamoIncidentStore(dynamodbClient(), env.tableName()),
    ops: new DynamoOperationsStore(dynamodbClient(), env.tableName()),
    sender: new ChannelSender(config, (name) => secrets.resolve(name), snsDirectSender(snsClient(), env.emailTopicArns())),
    clock: { now: () => new Date() },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
    newNonce: randomUUID,
    publicBaseUrl: env.publicBaseUrl(),
    actionLinkKey: key,
  };
}) as unknown as (event: EscalationState, context: Context) => Promise<EscalationState>;
