/**
 * Operations: the pipeline watching itself, out of band (docs/deploy.md, "Operating the pipeline"). One job: an ops
 * SNS topic apart from the alarm topic the pipeline ingests (nothing on it feeds the pipeline), its subscribers from
 * config `operations.subscribers`, the alarms that say the pipeline itself is in trouble (each with the ops topic as
 * alarm and OK action), the failure destination of the inline page, the metrics namespace of the functions and a
 * CloudWatch dashboard of the pipeline's metrics and the alarms' states.
 */
import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import type { MetricName } from '../../lambdas/core/metric-names';
import { AlarmTopic } from './alarm-topic';
import { QUEUE_DEFAULTS } from './defaults';
import type { PipelineFunction } from './pipeline-function';

/** The Powertools service name of every function (the `service` dimension of the pipeline's metrics). */
export const METRICS_SERVICE = 'alert-pipeline';
/** Environment variables Powertools reads in every function. */
export const POWERTOOLS_ENV = { namespace: 'POWERTOOLS_METRICS_NAMESPACE', service: 'POWERTOOLS_SERVICE_NAME' } as const;

export interface OperationsProps {
  /** Config `operations` (subscribers, thresholds). */
  readonly config: PipelineConfig['operations'];
  /** Every deployed function, by its table name. */
  readonly functions: Readonly<Record<string, PipelineFunction>>;
  /** The function the processor invokes asynchronously for the inline level-1 page. */
  readonly inlinePageFunction: PipelineFunction;
  readonly stateMachine: IStateMachine;
  readonly httpApi: HttpApi;
  /** The tables whose throttled requests alarm, each with its global secondary indexes (an alarm each). */
  readonly tables: ReadonlyArray<{ table: ITable; indexes: readonly string[] }>;
  /** Alarms made elsewhere (the queue's dead-letter and backlog alarms) that also notify the ops topic. */
  readonly alarms: readonly cloudwatch.Alarm[];
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * An SQS on-failure destination granting only sqs:SendMessage (all Lambda needs to deliver the failed event);
 * SqsDestination also grants GetQueueAttributes and GetQueueUrl, which nothing calls.
 */
function sendOnlyDestination(queue: sqs.IQueue): IDestination {
  return {
    bind: (_scope, fn) => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      return { destination: queue.queueArn };
    },
  };
}

export class Operations extends Construct {
  public readonly topic: AlarmTopic;
  /** Where failed inline-page invokes land (after Lambda's two retries). */
  public readonly failedPagesQueue: sqs.Queue;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;
  /** CloudWatch namespace of the pipeline's own metrics (one per stack, so stages do not mix). */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.namespace = `AlertPipeline/${stack.stackName}`;

    this.topic = new AlarmTopic(this, 'OpsTopic', {
      displayName: 'Alert pipeline operations',
      keyDescription: 'Encrypts the alert pipeline ops topic (customer-managed so CloudWatch alarms can publish)',
    });
    for (const s of props.config.subscribers) {
      this.topic.topic.addSubscription(s.type === 'email' ? new subscriptions.EmailSubscription(s.address) : new subscriptions.UrlSubscription(s.url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    }

    for (const f of Object.values(props.functions)) {
      f.addEnvironment(POWERTOOLS_ENV.namespace, this.namespace);
      f.addEnvironment(POWERTOOLS_ENV.service, METRICS_SERVICE);
    }

    // The inline page is an asynchronous invoke: after Lambda's two retries the event lands here, never dropped.
    this.failedPagesQueue = new sqs.Queue(this, 'FailedPagesQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_DEFAULTS.deadLetterRetentionPeriod,
    });
    Validations.of(this.failedPagesQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the inline page (the last stop of a failed asynchronous invoke, like a DLQ); it is alarmed and has no consumer to fail.',
    });
    props.inlinePageFunction.function.configureAsyncInvoke({ onFailure: sendOnlyDestination(this.failedPagesQueue), retryAttempts: 2 });

    this.createAlarms(props);
    const action = new SnsAction(this.topic.topic);
    for (const alarm of [...props.alarms, ...this.alarms]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.dashboard = this.createDashboard([...props.alarms, ...this.alarms], props.stateMachine);

    new CfnOutput(stack, 'OpsTopicArn', { value: this.topic.topic.topicArn, description: 'SNS topic of the pipeline\'s own alarms (subscribe the people who operate it)' });
    new CfnOutput(stack, 'OpsDashboardName', { value: this.dashboard.dashboardName, description: 'CloudWatch dashboard of the pipeline\'s metrics and alarms' });
  }

  /** A metric of the pipeline's own (EMF) namespace. */
  public metric(name: MetricName, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: this.namespace, metricName: name, dimensionsMap: { service: METRICS_SERVICE }, period: FIVE_MINUTES, statistic: 'Sum', ...options });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(alarm);
    return alarm;
  }

  private createAlarms(props: OperationsProps): void {
    const t = props.config.thresholds;
    const sum = { period: FIVE_MINUTES, statistic: 'Sum' };
    for (const [name, f] of Object.entries(props.functions)) {
      const id = f.node.id;
      this.alarm(`${id}Errors`, f.function.metricErrors(sum), t.functionErrors,
        `Function ${name} failed more than ${t.functionErrors} time(s) in 5 minutes: read its log group (the error and the Lambda request id are in each line).`);
      this.alarm(`${id}Throttles`, f.function.metricThrottles(sum), t.functionThrottles,
        `Function ${name} was throttled more than ${t.functionThrottles} time(s) in 5 minutes: the account's concurrency is exhausted or a reserved concurrency is too low.`);
    }
    const sm = props.stateMachine;
    this.alarm('EscalationExecutionsFailed', sm.metricFailed(sum), t.executionsFailed,
      'Escalation executions failed: a Page step failed after its retries (the incident timeline says why) and nobody was paged by that level. Page by hand, then fix the cause.');
    this.alarm('EscalationExecutionsTimedOut', sm.metricTimedOut(sum), t.executionsFailed,
      'Escalation executions timed out (longer than the state machine timeout): the escalation of those incidents stopped.');
    // Acknowledge and resolve stop executions (StopExecution), which Step Functions counts as aborted: an alarm only
    // when the config sets a threshold (the dashboard always shows them).
    if (t.executionsAborted !== undefined) {
      this.alarm('EscalationExecutionsAborted', sm.metricAborted(sum), t.executionsAborted,
        `More than ${t.executionsAborted} escalation executions were aborted in 5 minutes (acknowledge and resolve abort them too): check who stopped them (CloudTrail StopExecution).`);
    }
    this.alarm('Api5xx', props.httpApi.metricServerError(sum), t.api5xx,
      `The HTTP API answered more than ${t.api5xx} 5xx in 5 minutes: senders retry, but read the api and ingest functions\' logs.`);
    // Throttled reads + writes, of each table and, apart (DynamoDB reports them apart), of each of its indexes.
    props.tables.forEach(({ table, indexes }, i) => {
      const prefix = `Table${i === 0 ? '' : i}`;
      for (const index of [null, ...indexes]) {
        const dims: cloudwatch.DimensionsMap = index ? { TableName: table.tableName, GlobalSecondaryIndexName: index } : { TableName: table.tableName };
        const throttles = new cloudwatch.MathExpression({
          expression: 'r + w',
          usingMetrics: { r: table.metric('ReadThrottleEvents', { ...sum, dimensionsMap: dims }), w: table.metric('WriteThrottleEvents', { ...sum, dimensionsMap: dims }) },
          period: FIVE_MINUTES,
          label: `Throttled requests${index ? ` (${index})` : ''}`,
        });
        const what = index ? `index ${index} of the incident table` : 'the incident table';
        this.alarm(`${prefix}${index ? `${index.charAt(0).toUpperCase()}${index.slice(1)}` : ''}Throttles`, throttles, t.dynamodbThrottles,
          `DynamoDB throttled more than ${t.dynamodbThrottles} reads or writes of ${what} in 5 minutes: the SDK retried, but a storm may be slowing down processing.`);
      }
    });
    this.alarm('NotificationFailures', this.metric('NotificationFailures'), t.notificationFailures,
      'Notifications failed for good (every attempt spent or not retryable): the timeline of the incident names the channel and the error. Check the channel secret or endpoint.');
    this.alarm('FailedInlinePages', this.failedPagesQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), t.failedInlinePages,
      'An inline level-1 page failed after Lambda\'s retries: the event (with the incident id) is in the failed-pages queue. Page by hand, fix the cause, then delete the message.');
  }

  private createDashboard(alarms: readonly cloudwatch.Alarm[], sm: IStateMachine): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${Stack.of(this).stackName}-operations` });
    const graph = (title: string, metrics: cloudwatch.IMetric[]) => new cloudwatch.GraphWidget({ title, left: metrics, width: 8 });
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24 }));
    dashboard.addWidgets(
      graph('Alerts', [this.metric('AlertsAccepted'), this.metric('DeliveriesRejected'), this.metric('AlertsDeduplicated'), this.metric('AlertsSuppressed')]),
      graph('Incidents and pages', [this.metric('IncidentsOpened'), this.metric('Pages')]),
      graph('Time to page (ms)', [this.metric('TimeToPage', { statistic: 'p50' }), this.metric('TimeToPage', { statistic: 'p99' }), this.metric('TimeToPage', { statistic: 'Maximum' })]),
    );
    dashboard.addWidgets(graph('Escalation executions', [sm.metricStarted(), sm.metricSucceeded(), sm.metricFailed(), sm.metricTimedOut(), sm.metricAborted()]));
    const perChannel = (name: MetricName) => new cloudwatch.MathExpression({
      expression: `SEARCH('{${this.namespace},channel,service} MetricName="${name}"', 'Sum', 300)`,
      usingMetrics: {},
      label: `${name} by channel`,
      period: FIVE_MINUTES,
    });
    dashboard.addWidgets(
      graph('Notifications', [this.metric('NotificationsSent'), this.metric('NotificationFailures')]),
      graph('Notifications sent per channel', [perChannel('NotificationsSent')]),
      graph('Notification failures per channel', [perChannel('NotificationFailures')]),
    );
    return dashboard;
  }
}
