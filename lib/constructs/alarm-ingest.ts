/**
 * AlarmIngest: how events of this account reach the pipeline without HTTP. One job: subscribe the SNS ingest
 * function to the alarm topic and create the EventBridge rules the stack derives from the source registry (e.g.
 * every "CloudWatch Alarm State Change", every "GuardDuty Finding"), all targeting the EventBridge ingest function.
 * Every asynchronous hop dead-letters to `deadLetterQueue`.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PipelineFunction } from './pipeline-function';

/** The EventBridge pattern of CloudWatch alarm state changes. */
export const CLOUDWATCH_ALARM_EVENT_PATTERN: events.EventPattern = {
  source: ['aws.cloudwatch'],
  detailType: ['CloudWatch Alarm State Change'],
};

export interface AlarmIngestProps {
  /** The topic CloudWatch alarms publish to. */
  readonly topic: ITopic;
  /** Function subscribed to the topic (SNS -> Lambda). */
  readonly snsFunction: PipelineFunction;
  /** Receives deliveries that SNS or EventBridge could not make. */
  readonly deadLetterQueue: IQueue;
  /**
   * Function that receives the events of `eventBridgeRules`.
   * @default - no EventBridge rule
   */
  readonly eventBridgeFunction?: PipelineFunction;
  /**
   * One rule per entry, each matching its event types by `source` and `detail-type`.
   * @default - the CloudWatch alarm state change rule
   */
  readonly eventBridgeRules?: ReadonlyArray<{ readonly id: string; readonly description: string; readonly eventPattern: events.EventPattern }>;
  /**
   * Retries of the EventBridge target before the event goes to the dead-letter queue.
   * @default 8
   */
  readonly eventBridgeRetryAttempts?: number;
  /**
   * Oldest event EventBridge still retries.
   * @default Duration.hours(24)
   */
  readonly eventBridgeMaxEventAge?: Duration;
}

export class AlarmIngest extends Construct {
  /** The EventBridge rules, by construct id. */
  public readonly rules: Readonly<Record<string, events.Rule>> = {};

  constructor(scope: Construct, id: string, props: AlarmIngestProps) {
    super(scope, id);

    props.topic.addSubscription(new LambdaSubscription(props.snsFunction.function, { deadLetterQueue: props.deadLetterQueue }));

    if (!props.eventBridgeFunction) return;
    const ruleProps = props.eventBridgeRules ?? [
      { id: 'AlarmStateChangeRule', description: 'Every CloudWatch alarm state change in this account and Region goes to the alert pipeline', eventPattern: CLOUDWATCH_ALARM_EVENT_PATTERN },
    ];
    const rules: Record<string, events.Rule> = {};
    for (const { id, description, eventPattern } of ruleProps) {
      const rule = new events.Rule(this, id, { description, eventPattern });
      rule.addTarget(
        new targets.LambdaFunction(props.eventBridgeFunction.function, {
          retryAttempts: props.eventBridgeRetryAttempts ?? 8,
          maxEventAge: props.eventBridgeMaxEventAge ?? Duration.hours(24),
          deadLetterQueue: props.deadLetterQueue,
        }),
      );
      rules[id] = rule;
    }
    this.rules = rules;
  }
}
