/**
 * The pipeline watching itself (lib/constructs/operations.ts): the ops topic and its subscribers, every alarm with
 * its metric and the ops topic as alarm and OK action, the failure destination of the inline page, the dashboard.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { INCIDENT_TABLE } from '../../lambdas/adapters/dynamodb/table-schema';
import { functionsTriggeredBy } from '../../lambdas/handlers/functions';
import { buildApp, cleanUpOutdirs, configWith, logicalIdOf, pipelineFunctions, type BuiltApp } from './helpers';

describe('operations', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp(configWith((c) => ({
      ...c,
      operations: {
        subscribers: [{ type: 'email', address: 'ops@example.com' }, { type: 'https', url: 'https://ops.example.com/hooks/sns' }],
        thresholds: { api5xx: 7 },
      },
    })));
  });
  afterAll(cleanUpOutdirs);
  const stack = () => built.pipelineStack;
  const template = (): Template => built.pipelineTemplate;
  const opsTopic = () => ({ Ref: logicalIdOf(stack().operations.topic.topic.node.defaultChild) });
  const alarmTopic = () => ({ Ref: logicalIdOf(stack().alarmTopic.topic.node.defaultChild) });
  const alarms = () => Object.values(template().findResources('AWS::CloudWatch::Alarm'));
  /** The alarm on this metric (and dimension value), which must notify the ops topic on alarm and OK. */
  const alarmOn = (namespace: string, metricName: string, dimension?: unknown) => {
    const found = alarms().filter((a) => {
      const p = a.Properties;
      const direct = p.Namespace === namespace && p.MetricName === metricName;
      const inMath = (p.Metrics ?? []).some((m: any) => m.MetricStat?.Metric?.Namespace === namespace && m.MetricStat?.Metric?.MetricName === metricName);
      const dims = JSON.stringify(p.Dimensions ?? (p.Metrics ?? []).map((m: any) => m.MetricStat?.Metric?.Dimensions));
      return (direct || inMath) && (dimension === undefined || dims.includes(JSON.stringify(dimension)));
    });
    expect([namespace, metricName, dimension, found.length]).toEqual([namespace, metricName, dimension, 1]);
    expect(found[0]!.Properties.AlarmActions).toEqual([opsTopic()]);
    expect(found[0]!.Properties.OKActions).toEqual([opsTopic()]);
    return found[0]!.Properties;
  };

  it('has an encrypted ops topic apart from the alarm topic, with the configured subscribers, feeding nothing', () => {
    expect(opsTopic()).not.toEqual(alarmTopic());
    template().hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'Alert pipeline operations', KmsMasterKeyId: Match.anyValue() });
    template().hasResourceProperties('AWS::SNS::Subscription', { TopicArn: opsTopic(), Protocol: 'email', Endpoint: 'ops@example.com' });
    template().hasResourceProperties('AWS::SNS::Subscription', { TopicArn: opsTopic(), Protocol: 'https', Endpoint: 'https://ops.example.com/hooks/sns' });
    const subscriptions = Object.values(template().findResources('AWS::SNS::Subscription')).filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(opsTopic()));
    expect(subscriptions.map((s) => s.Properties.Protocol).sort()).toEqual(['email', 'https']); // no lambda, no sqs
    expect(template().findOutputs('OpsTopicArn')).toBeDefined();
  });

  it('alarms on the errors and throttles of every function', () => {
    const fns = Object.values(stack().functions).filter((f) => f !== undefined);
    expect(fns.length).toBeGreaterThan(5);
    for (const f of fns) {
      const dim = [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(f.function.node.defaultChild) } }];
      expect(alarmOn('AWS/Lambda', 'Errors', dim)).toMatchObject({ Threshold: 0, Statistic: 'Sum', Period: 300, ComparisonOperator: 'GreaterThanThreshold' });
      alarmOn('AWS/Lambda', 'Throttles', dim);
    }
  });

  it('alarms on failed and timed-out escalation executions; on aborted ones only with a threshold (acknowledgements abort them)', () => {
    const dim = [{ Name: 'StateMachineArn', Value: { Ref: logicalIdOf(stack().escalation.stateMachine.node.defaultChild) } }];
    for (const m of ['ExecutionsFailed', 'ExecutionsTimedOut']) alarmOn('AWS/States', m, dim);
    expect(alarms().filter((a) => a.Properties.MetricName === 'ExecutionsAborted')).toHaveLength(0);
    const other = buildApp(configWith((c) => ({ ...c, operations: { thresholds: { executionsAborted: 50 } } })));
    const aborted = Object.values(other.pipelineTemplate.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'ExecutionsAborted');
    expect(aborted.map((a) => a.Properties.Threshold)).toEqual([50]);
  });

  it('alarms on API 5xx with the configured threshold', () => {
    expect(alarmOn('AWS/ApiGateway', '5xx')).toMatchObject({ Threshold: 7 });
  });

  it('alarms on the dead-letter queue depth and the queue age (moved from the alarm topic)', () => {
    alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack().alertQueue.deadLetterQueue.node.defaultChild), 'QueueName'] } }]);
    alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage');
    for (const a of alarms()) expect(JSON.stringify(a.Properties.AlarmActions)).not.toContain(alarmTopic().Ref);
  });

  it('alarms on DynamoDB throttled reads and writes of the incident table and of each of its indexes', () => {
    const throttleAlarms = alarms().filter((a) => JSON.stringify(a.Properties.Metrics ?? []).includes('ReadThrottleEvents'));
    const indexesOf = (a: (typeof throttleAlarms)[number]) =>
      (a.Properties.Metrics as any[]).flatMap((m) => m.MetricStat?.Metric?.Dimensions ?? []).filter((d: any) => d.Name === 'GlobalSecondaryIndexName').map((d: any) => d.Value);
    expect(throttleAlarms.map((a) => [...new Set(indexesOf(a))].join()).sort()).toEqual(['', ...INCIDENT_TABLE.indexes.map((ix) => ix.indexName)].sort());
    for (const a of throttleAlarms) {
      expect(JSON.stringify(a.Properties.Metrics)).toContain('WriteThrottleEvents');
      expect(a.Properties).toMatchObject({ AlarmActions: [opsTopic()], OKActions: [opsTopic()], Threshold: 0 });
    }
  });

  it('alarms on notification failures from the pipeline\'s EMF metrics', () => {
    const ns = stack().operations.namespace;
    expect(alarmOn(ns, 'NotificationFailures', [{ Name: 'service', Value: 'alert-pipeline' }])).toMatchObject({ Threshold: 0, Statistic: 'Sum' });
    // Every function of the function table writes its metrics to that namespace (not CDK's own helper functions).
    for (const fn of Object.values(pipelineFunctions(template()))) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: ns, POWERTOOLS_SERVICE_NAME: 'alert-pipeline' });
    }
  });

  it('sends failed inline-page invokes to a queue with an alarm', () => {
    const [inline] = functionsTriggeredBy('async-invoke');
    const fnId = logicalIdOf(stack().functions[inline!]!.function.node.defaultChild);
    const queueId = logicalIdOf(stack().operations.failedPagesQueue.node.defaultChild);
    template().hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template().hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.absent(), SqsManagedSseEnabled: true });
    alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
  });

  it('has a dashboard with the pipeline metrics and the state of every alarm', () => {
    const dashboards = Object.values(template().findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const m of ['AlertsAccepted', 'DeliveriesRejected', 'AlertsDeduplicated', 'AlertsSuppressed', 'IncidentsOpened', 'Pages', 'TimeToPage', 'NotificationFailures', 'NotificationsSent']) {
      expect([m, body.includes(m)]).toEqual([m, true]);
    }
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    for (const id of Object.keys(template().findResources('AWS::CloudWatch::Alarm'))) expect([id, body.includes(id)]).toEqual([id, true]);
  });
});
