/**
 * EscalationStateMachine: the one escalation state machine (Step Functions Standard, JSONPath), defined once here.
 * The local runtime runs this same synthesized definition with aws-local-stepfunctions.
 *
 *   Wait (SecondsPath $.waitSeconds) ──► Page (Lambda: re-check the incident, page the next level) ──► Continue?
 *        ▲                                                                                     │ done
 *        └─────────────────────────────────── not done ───────────────────────────────────────┴──► Done
 *                                              │ failed for good (retries spent)
 *                                              └──► Record page failure (same function: on the timeline) ──► Page failed
 *
 * Level 1 pages inline (lambdas/core/escalation/escalator.ts), so an execution usually starts at the Wait before
 * level 2; with a delayed notification it starts at a Wait of the hold and pages level 1 itself. Acknowledge and
 * resolve call StopExecution, so an incident acknowledged at level 1 costs 1 state transition (that first Wait); the
 * Page step also re-checks the incident, so a missed stop still ends the loop. Executions are named after the
 * incident, so a redelivered alert cannot start a second one.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

import { ESCALATION_STATES } from './escalation-states';

export { ESCALATION_STATES };

/** The error of an execution whose Page step failed for good (what the ExecutionsFailed alarm counts). */
export const PAGE_FAILED_ERROR = 'PageFailed';

export interface EscalationStateMachineProps {
  /** The escalation-step function (lambdas/handlers/escalation-step.ts). */
  readonly stepFunction: IFunction;
  /**
   * Longest an escalation may run (hold + every level × repeats).
   * @default Duration.days(7)
   */
  readonly timeout?: Duration;
}

export class EscalationStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: EscalationStateMachineProps) {
    super(scope, id);
    const wait = new sfn.Wait(this, ESCALATION_STATES.wait, { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const page = new tasks.LambdaInvoke(this, ESCALATION_STATES.page, {
      lambdaFunction: props.stepFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    });
    page.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
    // A page that still fails is never silent: the same function records it on the incident's timeline (its input is
    // the state plus `pageError`), then the execution fails, which the ops alarm on failed executions reports.
    const recordFailure = new tasks.LambdaInvoke(this, ESCALATION_STATES.recordFailure, {
      lambdaFunction: props.stepFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    });
    recordFailure.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
    recordFailure.next(new sfn.Fail(this, ESCALATION_STATES.failed, {
      error: PAGE_FAILED_ERROR,
      cause: 'The Page step failed after its retries; the failure is on the incident timeline',
    }));
    page.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.pageError' });
    const done = new sfn.Succeed(this, ESCALATION_STATES.done);
    const choice = new sfn.Choice(this, ESCALATION_STATES.choice).when(sfn.Condition.booleanEquals('$.done', true), done).otherwise(wait);
    wait.next(page);
    page.next(choice);

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-escalation`,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(wait),
      timeout: props.timeout ?? Duration.days(7),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: 'Escalates an incident through its frozen escalation plan until someone acknowledges',
    });
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by Step Functions for X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery ' +
        '(logs:CreateLogDelivery and related): these actions do not support resource-level permissions.',
    });
    Validations.of(this.stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.stepFunction.node.defaultChild as never)}.Arn>:*]`,
      reason: 'Added by LambdaInvoke for versions and aliases of the escalation-step function only.',
    });
  }
}
