import fc from 'fast-check';
import type { NormalizedAlert } from '../../../lambdas/core/model/alert';
import {
  CLOUDWATCH_ROUTES,
  cloudWatchAlarmUrl,
  normalizeAlarmLambdaEvent,
  normalizeCloudWatchAlarmMessage,
  normalizeCloudWatchRoute,
  normalizeEventBridgeAlarmEvent,
  normalizeSnsNotification,
  parseCloudWatchAlarmMessage,
} from '../../../lambdas/core/normalize/cloudwatch';
import { DEFAULT_NORMALIZE_OPTIONS } from '../../../lambdas/core/normalize/shared';
import { parseSnsEnvelope } from '../../../lambdas/core/normalize/sns-envelope';
import {
  cloudWatchRouteOf,
  FIXTURE_CTX,
  listFixtures,
  listInvalidFixtures,
  loadExpected,
  loadFixture,
  normalizeFixture,
  errorOf,
} from '../../support/fixtures';
import { anyInput, expectNormalizedOrInvalid, FUZZ_RUNS, mutatedFrom } from '../../support/normalize-fuzz';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free JSON

const VALID = listFixtures('cloudwatch');
const INVALID = listInvalidFixtures('cloudwatch');

const fixture = (name: string) => structuredClone(loadFixture('cloudwatch', name)) as Json;
/** The docs/formats.md §2.4 message (checkout-5xx-rate ALARM), parsed. */
const metricMessage = (): Json => JSON.parse(fixture('sns-https-metric-alarm').Message as string) as Json;
const normalizeOne = (name: string, ctx = FIXTURE_CTX): NormalizedAlert => {
  const [alert] = normalizeFixture('cloudwatch', name, loadFixture('cloudwatch', name), ctx);
  if (!alert) throw new Error(`fixture ${name} produced no alert`);
  return alert;
};


/** A transition's alert without what only says which route carried it. */
function routeIndependent(alert: NormalizedAlert) {
  const { via: _via, sns_topic_arn: _topic, sns_message_id: _id, actions_suppressed_by: _s, ...labels } = alert.labels;
  const { raw: _raw, ...rest } = alert;
  return { ...rest, labels };
}

describe('CloudWatch fixtures', () => {
  it('has a fixture for every documented variant', () => {
    expect(VALID).toEqual(
      expect.arrayContaining([
        'sns-https-metric-alarm',
        'sns-https-metric-math',
        'sns-https-composite',
        'sns-https-composite-without-triggering-children',
        'sns-https-composite-ok-empty-triggering-children',
        'sns-https-ok',
        'sns-https-insufficient-data',
        'sns-https-null-description-unit-no-subject',
        'sns-lambda-record',
        'sns-sqs-record',
        'sns-sqs-raw-delivery',
        'eventbridge-metric-alarm',
        'eventbridge-ok',
        'eventbridge-composite',
        'eventbridge-metric-math',
        'alarm-lambda-metric',
      ]),
    );
  });

  it('names a known route in every fixture', () => {
    for (const name of [...VALID, ...INVALID.map((f) => f.name)]) expect(CLOUDWATCH_ROUTES).toContain(cloudWatchRouteOf(name));
  });

  it.each(VALID)('normalizes fixture %s to its expected output', (name) => {
    expect(normalizeFixture('cloudwatch', name, loadFixture('cloudwatch', name))).toEqual(loadExpected('cloudwatch', name));
  });

  it.each(INVALID.map((f) => [f.name, f.errorPath, f] as const))('rejects invalid fixture %s naming %s', (name, _path, f) => {
    const error = errorOf(() => normalizeCloudWatchRoute(cloudWatchRouteOf(name), f.body, FIXTURE_CTX));
    expect(error.issues[0]?.path).toBe(f.errorPath);
  });
});

describe('CloudWatch deliveries of one transition', () => {
  it.each([
    ['metric ALARM', ['sns-https-metric-alarm', 'sns-lambda-record', 'sns-sqs-record', 'eventbridge-metric-alarm', 'alarm-lambda-metric']],
    ['metric OK', ['sns-https-ok', 'sns-sqs-raw-delivery', 'eventbridge-ok']],
    ['metric-math ALARM', ['sns-https-metric-math', 'eventbridge-metric-math']],
    ['composite ALARM', ['sns-https-composite', 'eventbridge-composite', 'alarm-lambda-composite']],
  ])('gives the SNS, EventBridge and Lambda deliveries of a %s the same keys', (_what, names) => {
    const alerts = names.map((name) => normalizeOne(name));
    const first = alerts[0]!;
    for (const alert of alerts) {
      expect(alert.deliveryKey).toBe(first.deliveryKey);
      expect(alert.fingerprintKey).toBe(first.fingerprintKey);
      expect(routeIndependent(alert)).toEqual(routeIndependent(first));
    }
  });

  it('gives different transitions of one alarm different delivery keys and one fingerprint', () => {
    const alarm = normalizeOne('sns-https-metric-alarm');
    const ok = normalizeOne('eventbridge-ok');
    expect(ok.fingerprintKey).toBe(alarm.fingerprintKey);
    expect(ok.deliveryKey).not.toBe(alarm.deliveryKey);
  });

  const ARN_NAME = /^[A-Za-z0-9 _.\-/():]{1,64}$/;
  it('gives SNS and EventBridge deliveries of any transition the same delivery and fingerprint keys', () => {
    const transition = fc.record({
      name: fc.stringMatching(ARN_NAME),
      region: fc.constantFrom('eu-west-1', 'us-east-1', 'ap-southeast-2', 'us-gov-west-1'),
      account: fc.stringMatching(/^\d{12}$/),
      state: fc.constantFrom('OK', 'ALARM', 'INSUFFICIENT_DATA'),
      at: fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(transition, ({ name, region, account, state, at }) => {
        const arn = `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
        const stamp = at.toISOString().replace('Z', '+0000');
        const message = { ...metricMessage(), AlarmName: name, AWSAccountId: account, AlarmArn: arn, NewStateValue: state, StateChangeTime: stamp };
        const envelope = { ...fixture('sns-https-metric-alarm'), Message: JSON.stringify(message) };
        const event = fixture('eventbridge-metric-alarm');
        Object.assign(event, { account, region, resources: [arn], time: at.toISOString().replace(/\.\d{3}Z$/, 'Z') });
        Object.assign(event.detail, { alarmName: name });
        Object.assign(event.detail.state, { value: state, timestamp: stamp });
        const lambda = { ...fixture('alarm-lambda-metric'), alarmArn: arn, accountId: account, region, alarmData: event.detail };
        const sns = normalizeSnsNotification(parseSnsEnvelope(envelope), 'sns-https', FIXTURE_CTX);
        const eb = normalizeEventBridgeAlarmEvent(event, FIXTURE_CTX);
        const direct = normalizeAlarmLambdaEvent(lambda, FIXTURE_CTX);
        expect(eb.deliveryKey).toBe(sns.deliveryKey);
        expect(direct.deliveryKey).toBe(sns.deliveryKey);
        expect(eb.fingerprintKey).toBe(sns.fingerprintKey);
        expect(direct.fingerprintKey).toBe(sns.fingerprintKey);
        expect(sns.deliveryKey).toBe(`cw:${arn}|${at.toISOString()}|${state}`);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('normalizeCloudWatchAlarmMessage', () => {
  const meta = { via: 'sns-sqs-raw' };

  it.each([
    ['ALARM', 'trigger'],
    ['OK', 'resolve'],
    ['INSUFFICIENT_DATA', 'info'],
  ])('maps NewStateValue %s to action %s', (state, action) => {
    const alert = normalizeCloudWatchAlarmMessage({ ...metricMessage(), NewStateValue: state }, meta, FIXTURE_CTX);
    expect(alert.action).toBe(action);
    expect(alert.sourceSeverity).toBe(state);
    expect(alert.title).toBe(`${state}: checkout-5xx-rate`);
  });

  it('takes the severity from the cloudwatchDefaultSeverity option', () => {
    const ctx = { ...FIXTURE_CTX, options: { ...DEFAULT_NORMALIZE_OPTIONS, cloudwatchDefaultSeverity: 'sev1' as const } };
    expect(normalizeCloudWatchAlarmMessage(metricMessage(), meta, ctx).severity).toBe('sev1');
  });

  it('takes the region code from the ARN, not the display name', () => {
    const message = { ...metricMessage(), Region: 'Asia Pacific (Sydney)', AlarmArn: 'arn:aws:cloudwatch:ap-southeast-2:111122223333:alarm:checkout-5xx-rate' };
    const alert = normalizeCloudWatchAlarmMessage(message, meta, FIXTURE_CTX);
    expect(alert.labels.region).toBe('ap-southeast-2');
    expect(alert.alertUrl).toBe(
      'https://ap-southeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#alarmsV2:alarm/checkout-5xx-rate',
    );
  });

  it('keeps alarm names with colons whole', () => {
    const message = { ...metricMessage(), AlarmName: 'svc:api:5xx', AlarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:svc:api:5xx' };
    const alert = normalizeCloudWatchAlarmMessage(message, meta, FIXTURE_CTX);
    expect(alert.fingerprintKey).toBe('cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:svc:api:5xx');
    expect(alert.labels.region).toBe('eu-west-1');
  });

  it('URL-encodes the alarm name in the console link', () => {
    expect(cloudWatchAlarmUrl('eu-west-1', 'a b/c#d')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%20b%2Fc%23d',
    );
  });

  it('clips a long NewStateReason to 2000 characters', () => {
    const alert = normalizeCloudWatchAlarmMessage({ ...metricMessage(), NewStateReason: 'x'.repeat(5000) }, meta, FIXTURE_CTX);
    expect(alert.description).toHaveLength(2000);
  });

  it('uses the alarm name as the resource when there is no dimension', () => {
    const message = metricMessage();
    message.Trigger.Dimensions = [];
    expect(normalizeCloudWatchAlarmMessage(message, meta, FIXTURE_CTX).resource).toBe('checkout-5xx-rate');
  });

  it('keeps the parsed message as raw', () => {
    const message = metricMessage();
    expect(normalizeCloudWatchAlarmMessage(message, meta, FIXTURE_CTX).raw).toBe(message);
  });

  it('labels a metric-math alarm of one plain metric as metric, as EventBridge does', () => {
    const message = metricMessage();
    message.Trigger = {
      Period: 60,
      Metrics: [{ Id: 'm1', MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'NumberOfMessagesSent', Dimensions: [] }, Period: 60, Stat: 'Sum' }, ReturnData: true }],
    };
    expect(parseCloudWatchAlarmMessage(message).kind).toBe('metric-math');
    expect(normalizeCloudWatchAlarmMessage(message, meta, FIXTURE_CTX).labels.alarm_kind).toBe('metric');
  });

  it.each([
    ['metric', 'sns-https-metric-alarm'],
    ['metric-math', 'sns-https-metric-math'],
    ['composite', 'sns-https-composite'],
  ])('parses a %s alarm as that kind', (kind, name) => {
    expect(parseCloudWatchAlarmMessage(JSON.parse(fixture(name).Message as string)).kind).toBe(kind);
  });

  it.each([
    ['NewStateValue', (m: Json) => ({ ...m, NewStateValue: 'alarm' })],
    ['StateChangeTime', (m: Json) => ({ ...m, StateChangeTime: '2024-06-10' })],
    ['StateChangeTime', (m: Json) => ({ ...m, StateChangeTime: '9999-12-31T23:59:59.999-0500' })],
    ['AlarmArn', (m: Json) => ({ ...m, AlarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:' })],
    ['Trigger.Dimensions[0].value', (m: Json) => ({ ...m, Trigger: { ...m.Trigger, Dimensions: [{ name: 'LoadBalancer', value: 1 }] } })],
    ['Trigger', (m: Json) => ({ ...m, Trigger: 'GreaterThanThreshold' })],
  ])('names %s when it is bad', (path, mutate) => {
    const error = errorOf(() => normalizeCloudWatchAlarmMessage(mutate(metricMessage()), meta, FIXTURE_CTX));
    expect(error.issues[0]?.path.startsWith(path)).toBe(true);
  });
});

describe('normalizeSnsNotification', () => {
  it('rejects a SubscriptionConfirmation naming Type', () => {
    const envelope = parseSnsEnvelope({
      ...fixture('sns-https-metric-alarm'),
      Type: 'SubscriptionConfirmation',
      Token: 'abc',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription',
    });
    const error = errorOf(() => normalizeSnsNotification(envelope, 'sns-https', FIXTURE_CTX));
    expect(error.issues[0]?.path).toBe('Type');
    expect(error.message).toMatch(/Notification/);
  });

  it.each(['Deploy finished', '', '"a JSON string"', 'null', '{"AlarmName":'])('rejects the non-alarm Message %j naming Message', (message) => {
    const envelope = parseSnsEnvelope({ ...fixture('sns-https-metric-alarm'), Message: message });
    expect(errorOf(() => normalizeSnsNotification(envelope, 'sns-https', FIXTURE_CTX)).issues[0]?.path).toBe('Message');
  });

  it('names fields inside Message with the Message prefix', () => {
    const message = { ...metricMessage(), NewStateValue: 'BROKEN' };
    const envelope = parseSnsEnvelope({ ...fixture('sns-https-metric-alarm'), Message: JSON.stringify(message) });
    expect(errorOf(() => normalizeSnsNotification(envelope, 'sns-https', FIXTURE_CTX)).issues[0]?.path).toBe('Message.NewStateValue');
  });

  it('labels the route, topic and SNS message id', () => {
    const alert = normalizeSnsNotification(parseSnsEnvelope(fixture('sns-https-metric-alarm')), 'sns-https', FIXTURE_CTX);
    expect(alert.labels).toMatchObject({
      via: 'sns-https',
      sns_topic_arn: 'arn:aws:sns:eu-west-1:111122223333:ops-alarms',
      sns_message_id: '0b7f6c3e-2a41-5d8e-9f10-3c2b1a0d9e8f',
    });
  });
});

describe('normalizeEventBridgeAlarmEvent', () => {
  it.each(['CloudWatch Alarm Configuration Change', 'EC2 Instance State-change Notification', undefined])(
    'rejects detail-type %s naming detail-type',
    (detailType) => {
      const event = { ...fixture('eventbridge-ok'), 'detail-type': detailType };
      expect(errorOf(() => normalizeEventBridgeAlarmEvent(event, FIXTURE_CTX)).issues[0]?.path).toBe('detail-type');
    },
  );

  it('decodes reasonData in raw without changing the event it was given', () => {
    const event = fixture('eventbridge-ok');
    const before = structuredClone(event);
    const alert = normalizeEventBridgeAlarmEvent(event, FIXTURE_CTX);
    expect((alert.raw as Json).detail.state.reasonData).toEqual({
      version: '1.0',
      queryDate: '2024-06-10T14:20:12.300+0000',
      statistic: 'Sum',
      period: 60,
      recentDatapoints: [0, 1, 0],
      threshold: 2,
    });
    expect(event).toEqual(before);
  });

  it('keeps reasonData as received when it is not JSON', () => {
    const alert = normalizeEventBridgeAlarmEvent(fixture('eventbridge-composite-actions-suppressed'), FIXTURE_CTX);
    expect((alert.raw as Json).detail.state.reasonData).toBe('not json: {truncated');
  });

  it('takes the region from the event region', () => {
    expect(normalizeEventBridgeAlarmEvent(fixture('eventbridge-ok'), FIXTURE_CTX).labels.region).toBe('eu-west-1');
  });

  it.each([
    ['metric', 'eventbridge-metric-alarm'],
    ['metric-math', 'eventbridge-metric-math'],
    ['composite', 'eventbridge-composite'],
  ])('labels a %s alarm with its kind', (kind, name) => {
    expect(normalizeOne(name).labels.alarm_kind).toBe(kind);
  });

  it('labels alarm actions suppressed by a composite suppressor', () => {
    expect(normalizeOne('eventbridge-composite-actions-suppressed').labels.actions_suppressed_by).toBe('Alarm');
  });
});

describe('CloudWatch fuzzing', () => {
  const ROUTE_FIXTURES = CLOUDWATCH_ROUTES.map((route) => [route, VALID.filter((n) => cloudWatchRouteOf(n) === route)] as const);

  it.each(CLOUDWATCH_ROUTES)('normalizes or rejects arbitrary values on route %s with InvalidPayloadError', (route) => {
    fc.assert(
      fc.property(fc.oneof(anyInput, fc.string()), (body) => expectNormalizedOrInvalid(() => normalizeCloudWatchRoute(route, body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.each(ROUTE_FIXTURES)('normalizes or rejects mutated %s fixtures with InvalidPayloadError', (route, names) => {
    const bodies = fc.oneof(...names.map((name) => mutatedFrom(loadFixture('cloudwatch', name))));
    fc.assert(
      fc.property(bodies, (body) => expectNormalizedOrInvalid(() => normalizeCloudWatchRoute(route, body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('normalizes or rejects SNS envelopes whose inner Message is mutated with InvalidPayloadError', () => {
    const snsNames = VALID.filter((n) => cloudWatchRouteOf(n) === 'sns-https');
    const bodies = fc.oneof(
      ...snsNames.map((name) => {
        const envelope = fixture(name);
        return mutatedFrom(JSON.parse(envelope.Message as string)).map((message) => ({ ...envelope, Message: JSON.stringify(message) ?? '' }));
      }),
    );
    fc.assert(
      fc.property(bodies, (body) => expectNormalizedOrInvalid(() => normalizeCloudWatchRoute('sns-https', body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('normalizes or rejects arbitrary and mutated alarm messages with InvalidPayloadError', () => {
    const messages = fc.oneof(anyInput, mutatedFrom(metricMessage()), mutatedFrom(JSON.parse(fixture('sns-https-composite').Message as string)));
    fc.assert(
      fc.property(messages, (message) =>
        expectNormalizedOrInvalid(() => [normalizeCloudWatchAlarmMessage(message, { via: 'sns-sqs-raw' }, FIXTURE_CTX)]),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
