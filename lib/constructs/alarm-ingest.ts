/**
 * AlarmIngest: how CloudWatch alarms of this account reach the pipeline without HTTP. One job: subscribe the SNS
 * ingest function to the alarm topic and, optionally, route every "CloudWatch Alarm State Change" event from
 * EventBridge to the EventBridge ingest function. Every asynchronous hop dead-letters to `deadLetterQueue`.
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
   * Function that receives alarm state changes from EventBridge. When given, an EventBridge rule is created.
   * @default - no EventBridge rule
   */
  readonly eventBridgeFunction?: PipelineFunction;
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
  public readonly rule?: events.Rule;

  constructor(scope: Construct, id: string, props: AlarmIngestProps) {
    super(scope, id);

    props.topic.addSubscription(new LambdaSubscription(props.snsFunction.function, { deadLetterQueue: props.deadLetterQueue }));

    if (props.eventBridgeFunction) {
      this.rule = new events.Rule(this, 'AlarmStateChangeRule', {
        description: 'Every CloudWatch alarm state change in this account and Region goes to the alert pipeline',
        eventPattern: CLOUDWATCH_ALARM_EVENT_PATTERN,
      });
      this.rule.addTarget(
        new targets.LambdaFunction(props.eventBridgeFunction.function, {
          retryAttempts: props.eventBridgeRetryAttempts ?? 8,
          maxEventAge: props.eventBridgeMaxEventAge ?? Duration.hours(24),
          deadLetterQueue: props.deadLetterQueue,
        }),
      );
    }
  }
}
