/** The AWS Escalator (Step Functions + Lambda event invoke), for the functions that start or stop escalations. */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { createEscalator } from '../../core/escalation/escalator';
import type { Escalator, IncidentStore } from '../../core/ports';
import { StepFunctionsTransport } from '../../adapters/sfn/step-functions-transport';
import { lambdaClient, sfnClient } from './aws';
import { env } from './env';

export function awsEscalator(config: PipelineConfig, store: IncidentStore): Escalator {
  return createEscalator({
    config,
    store,
    clock: { now: () => new Date() },
    transport: new StepFunctionsTransport(sfnClient(), lambdaClient(), env.stateMachineArn(), env.escalationFunctionName()),
  });
}
