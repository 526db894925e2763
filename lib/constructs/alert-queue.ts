/**
 * AlertQueue: the durable buffer between ingestion and processing. One job: the SQS queue, its dead-letter
 * queue, the consumer's event source mapping (checking the visibility-timeout rule) and the two alarms that say
 * the pipeline itself is in trouble.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_DEFAULTS, VISIBILITY_TIMEOUT_FACTOR } from './defaults';
import type { PipelineFunction } from './pipeline-function';
import { ConfigError } from '../../lambdas/core/errors';

export interface AlertQueueProps {
  /** Receives before a message moves to the dead-letter queue (config `processing.maxReceiveCount`). */
  readonly maxReceiveCount: number;
  /**
   * Timeout of the consumer function. The queue's visibility timeout is 6 x this value, and `addConsumer`
   * refuses a function with a longer timeout.
   * @default Duration.seconds(60)
   */
  readonly consumerTimeout?: Duration;
  /**
   * Topic that the dead-letter and message-age alarms notify (alarm and OK).
   * @default - the alarms have no actions
   */
  readonly alarmTopic?: ITopic;
  /**
   * Age of the oldest queued message that raises the backlog alarm.
   * @default Duration.seconds(300)
   */
  readonly oldestMessageAgeThreshold?: Duration;
  /**
   * Messages in the dead-letter queue above which its alarm fires.
   * @default 0
   */
  readonly deadLetterThreshold?: number;
}

export interface AlertQueueConsumerOptions {
  /** Messages per invocation (1-10,000; above 10 needs `maxBatchingWindow` of at least 1 s). */
  readonly batchSize: number;
  /**
   * How long Lambda gathers messages before invoking.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations from this queue (caps writes to the table during a storm).
   * @default - no limit
   */
  readonly maxConcurrency?: number;
}

export class AlertQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  public readonly oldestMessageAlarm: cloudwatch.Alarm;
  private readonly consumerTimeout: Duration;

  constructor(scope: Construct, id: string, props: AlertQueueProps) {
    super(scope, id);
    this.consumerTimeout = props.consumerTimeout ?? Duration.seconds(60);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_DEFAULTS.deadLetterRetentionPeriod,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_DEFAULTS.retentionPeriod,
      visibilityTimeout: Duration.seconds(this.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Alerts are waiting in the dead-letter queue: they were not processed. Inspect them, fix the cause, then redrive (docs/deploy.md).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: props.deadLetterThreshold ?? 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const ageThreshold = props.oldestMessageAgeThreshold ?? Duration.seconds(QUEUE_DEFAULTS.oldestMessageAgeAlarmSeconds);
    this.oldestMessageAlarm = new cloudwatch.Alarm(this, 'OldestMessageAlarm', {
      alarmDescription: `The oldest alert in the queue is older than ${ageThreshold.toSeconds()} s: the processor is failing or falling behind.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: ageThreshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.alarmTopic) {
      const action = new SnsAction(props.alarmTopic);
      for (const alarm of [this.deadLetterAlarm, this.oldestMessageAlarm]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  /**
   * Makes `consumer` the queue's processor: an SQS event source with partial batch responses. Throws when the
   * consumer's timeout breaks the visibility rule or the batch settings are invalid for SQS.
   */
  public addConsumer(consumer: PipelineFunction, options: AlertQueueConsumerOptions): void {
    if (consumer.timeout.toSeconds() > this.consumerTimeout.toSeconds()) {
      throw ConfigError.problem(
        `${consumer.node.path}: timeout ${consumer.timeout.toSeconds()} s exceeds the AlertQueue consumerTimeout ` +
          `${this.consumerTimeout.toSeconds()} s (the visibility timeout must be >= ${VISIBILITY_TIMEOUT_FACTOR} x the consumer timeout)`,
      );
    }
    const windowSeconds = options.maxBatchingWindow?.toSeconds() ?? 0;
    if (options.batchSize > 10 && windowSeconds < 1) {
      throw ConfigError.problem(`${this.node.path}: a batch size of ${options.batchSize} (> 10) needs a batching window of at least 1 s`);
    }
    // The mapping polls with the consumer's role: exactly the actions of AWSLambdaSQSQueueExecutionRole (SqsEventSource
    // would also grant ChangeMessageVisibility and GetQueueUrl, which neither Lambda nor the code calls).
    consumer.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      resources: [this.queue.queueArn],
    }));
    const mapping = consumer.function.addEventSourceMapping('AlertQueueSource', {
      eventSourceArn: this.queue.queueArn,
      batchSize: options.batchSize,
      maxBatchingWindow: windowSeconds > 0 ? options.maxBatchingWindow : undefined,
      maxConcurrency: options.maxConcurrency,
      reportBatchItemFailures: true,
    });
    // Lambda checks the role when the mapping is created.
    mapping.node.addDependency(consumer.role);
  }
}
