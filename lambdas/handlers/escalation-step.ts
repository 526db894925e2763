/**
 * Handler: the Page task of the escalation state machine (and the asynchronous single-step page). Input and output
 * are the EscalationState the state machine carries between its Wait and Choice states. The same function records
 * a Page step that failed for good (the state machine's Catch passes the state with `pageError`) on the timeline.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { EscalationState } from '../core/escalation/plan';
import { isFailedPage, recordPageFailure, type FailedPageState } from '../core/escalation/page-failure';
import { runEscalationStep, type EscalationDeps } from '../core/escalation/run';
import type { MetricsSink } from '../core/ports';
import { DynamoIncidentStore } from '../adapters/dynamodb/incident-store';
import { DynamoOperationsStore } from '../adapters/dynamodb/operations-store';
import { ChannelSender } from '../adapters/notify/channel-sender';
import { snsDirectSender } from '../adapters/notify/sns-direct-sender';
import { SecretsManagerChannelSecrets } from '../adapters/secrets/channel-secrets';
import { SecretsManagerTokens } from '../adapters/secrets/token-source';
import { dynamodbClient, once, secretsClient, snsClient } from './shared/aws';
import { deployedConfig } from './shared/deployed-config';
import { env } from './shared/env';
import { awsMetrics, observability } from './shared/observability';
import { ConfigError } from '../core/errors';

/** `metrics` is flushed after every invocation (give the same sink to the deps' `metrics`). */
export function createEscalationStepHandler(deps: () => Promise<EscalationDeps>, options: { metrics?: MetricsSink } = {}) {
  return middy<EscalationState | FailedPageState, EscalationState>(async (state: EscalationState | FailedPageState) =>
    isFailedPage(state) ? recordPageFailure(await deps(), state) : runEscalationStep(await deps(), state),
  ).use(observability(options.metrics));
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
    metrics: awsMetrics(),
  };
}, { metrics: awsMetrics() }) as unknown as (event: EscalationState, context: Context) => Promise<EscalationState>;
