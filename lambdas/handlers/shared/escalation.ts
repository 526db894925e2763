/** The AWS Escalator (Step Functions + Lambda event invoke), for the functions that start or stop escalations. */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { createEscalator } from '../../core/escalation/escalator';
import type { Clock, Escalator, IncidentStore, OperationsStore, StatusNotifier } from '../../core/ports';
import type { TokenSource } from '../../core/ports';
import { StepFunctionsTransport } from '../../adapters/sfn/step-functions-transport';
import { lambdaClient, sfnClient } from './aws';
import { awsStatusNotifier } from './status-notifier';

export { awsStatusNotifier };
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

/** What the functions that act on incidents for people need to change them (the API's incident routes). */
export interface IncidentActionDeps {
  config: PipelineConfig;
  store: IncidentStore;
  escalator: Escalator;
  clock: Clock;
  /** Told after every write that may change the status page (absent: no status page to tell). */
  statusNotifier?: StatusNotifier;
}

/** ...and what the one-click links and the API's schedule routes also need. */
export interface IncidentOperationsDeps extends IncidentActionDeps {
  ops: OperationsStore;
  /** HMAC keys of links (newest first; the newest signs calendar feed URLs). */
  linkKeys: TokenSource;
}

/** The incident action dependencies in AWS (no operations store and no link keys: no Secrets Manager client). */
export function awsIncidentActions(): IncidentActionDeps {
  const config = deployedConfig();
  const store = awsIncidentStore(config);
  return { config, store, escalator: awsEscalator(config, store), clock: { now: () => new Date() }, statusNotifier: awsStatusNotifier() };
}
