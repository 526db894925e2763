/** The AWS Escalator (Step Functions + Lambda event invoke), for the functions that start or stop escalations. */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { createEscalator } from '../../core/escalation/escalator';
import type { Clock, Escalator, IncidentStore, OperationsStore, StatusNotifier } from '../../core/ports';
import { LambdaStatusNotifier } from '../../adapters/lambda/lambda-status-notifier';
import { DynamoOperationsStore } from '../../adapters/dynamodb/operations-store';
import type { TokenSource } from '../../core/ports';
import { SecretsManagerTokens } from '../../adapters/secrets/token-source';
import { StepFunctionsTransport } from '../../adapters/sfn/step-functions-transport';
import { dynamodbClient, lambdaClient, secretsClient, sfnClient } from './aws';
import { awsIncidentStore } from './insights';
import { deployedConfig } from './deployed-config';
import { env } from './env';

export function awsEscalator(config: PipelineConfig, store: IncidentStore): Escalator {
  return createEscalator({
    config,
    store,
    clock: { now: () => new Date() },
    transport: new StepFunctionsTransport(sfnClient(), lambdaClient(), env.stateMachineArn(), env.escalationFunctionName()),
  });
}

/** What the functions that act on incidents for people (API, one-click links) need. */
export interface IncidentOperationsDeps {
  config: PipelineConfig;
  store: IncidentStore;
  ops: OperationsStore;
  escalator: Escalator;
  clock: Clock;
  /** HMAC keys of links (newest first; the newest signs calendar feed URLs). */
  linkKeys: TokenSource;
  /** Told after every write that may change the status page (absent: no status page to tell). */
  statusNotifier?: StatusNotifier;
}

/** The status-render function, invoked asynchronously (does nothing when no status page is deployed). */
export function awsStatusNotifier(): StatusNotifier {
  return new LambdaStatusNotifier(lambdaClient(), env.statusRenderFunctionName());
}

/** Those dependencies in AWS. */
export function awsIncidentOperations(): IncidentOperationsDeps {
  const config = deployedConfig();
  const store = awsIncidentStore(config);
  return {
    config,
    store,
    ops: new DynamoOperationsStore(dynamodbClient(), env.tableName()),
    escalator: awsEscalator(config, store),
    clock: { now: () => new Date() },
    linkKeys: new SecretsManagerTokens(secretsClient(), env.actionLinkSecretId()),
    statusNotifier: awsStatusNotifier(),
  };
}
