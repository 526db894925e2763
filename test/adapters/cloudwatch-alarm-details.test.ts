/** CloudWatchAlarmDetails against a hand-made client: which calls it makes, with what, and what it makes of the answers. */
import { DescribeAlarmsCommand, ListTagsForResourceCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarmDetails, DESCRIBE_ALARMS_MAX_NAMES } from '../../lambdas/adapters/cloudwatch/cloudwatch-alarm-details';
import { cachedAlarmDetails } from '../../lambdas/core/enrich/alarm-details-cache';

const ARN = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate';

type Sent = { command: unknown; signal: AbortSignal | undefined };

function mockClient(answer: (command: unknown) => unknown): { client: CloudWatchClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = {
    send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      sent.push({ command, signal: options?.abortSignal });
      const a = answer(command);
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as CloudWatchClient;
  return { client, sent };
}

const alarm = (name: string, state = 'OK', at = '2024-06-10T14:10:00.000Z') => ({
  AlarmName: name, AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`, AlarmDescription: `about ${name}`,
  StateValue: state, StateUpdatedTimestamp: new Date(at),
});

describe('CloudWatchAlarmDetails.describe', () => {
  it('reads the tags with ListTagsForResource by ARN and the description with DescribeAlarms by name (both alarm types)', async () => {
    const { client, sent } = mockClient((c) => {
      if (c instanceof ListTagsForResourceCommand) return { Tags: [{ Key: 'team', Value: 'payments' }, { Key: 'runbook', Value: 'https://rb' }] };
      if (c instanceof DescribeAlarmsCommand) return { MetricAlarms: [alarm('checkout-5xx-rate', 'ALARM')], CompositeAlarms: [] };
      return new Error('unexpected');
    });
    const details = new CloudWatchAlarmDetails(client, 'eu-west-1', 1500);
    await expect(details.describe(ARN)).resolves.toEqual({ tags: { team: 'payments', runbook: 'https://rb' }, description: 'about checkout-5xx-rate', state: 'ALARM' });
    expect(sent.map((s) => (s.command as object).constructor.name).sort()).toEqual(['DescribeAlarmsCommand', 'ListTagsForResourceCommand']);
    expect((sent.find((s) => s.command instanceof ListTagsForResourceCommand)!.command as ListTagsForResourceCommand).input).toEqual({ ResourceARN: ARN });
    expect((sent.find((s) => s.command instanceof DescribeAlarmsCommand)!.command as DescribeAlarmsCommand).input)
      .toEqual({ AlarmNames: ['checkout-5xx-rate'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(sent.every((s) => s.signal instanceof AbortSignal)).toBe(true);
    expect(details.apiCalls()).toBe(2);
  });

  it('a composite alarm and an alarm name with colons', async () => {
    const arn = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:svc:checkout:composite';
    const { client, sent } = mockClient((c) => (c instanceof ListTagsForResourceCommand ? { Tags: [] }
      : { MetricAlarms: [], CompositeAlarms: [{ ...alarm('svc:checkout:composite'), AlarmArn: arn }] }));
    await expect(new CloudWatchAlarmDetails(client, 'eu-west-1').describe(arn)).resolves.toEqual({ tags: {}, description: 'about svc:checkout:composite', state: 'OK' });
    expect((sent.find((s) => s.command instanceof DescribeAlarmsCommand)!.command as DescribeAlarmsCommand).input.AlarmNames).toEqual(['svc:checkout:composite']);
  });

  it('an SDK error comes out as is (the core traces it); an alarm of another Region is refused without a call', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const { client, sent } = mockClient(() => denied);
    const details = new CloudWatchAlarmDetails(client, 'eu-west-1');
    await expect(details.describe(ARN)).rejects.toMatchObject({ name: 'AccessDenied' });
    const callsBefore = sent.length;
    await expect(details.describe('arn:aws:cloudwatch:us-east-1:111122223333:alarm:x')).rejects.toThrow('the alarm is in us-east-1; this pipeline reads the alarms of eu-west-1 only');
    expect(sent.length).toBe(callsBefore);
  });

  it('a call that does not answer in time is aborted', async () => {
    const client = {
      send: (_c: unknown, options: { abortSignal: AbortSignal }) => new Promise((_, reject) => {
        options.abortSignal.addEventListener('abort', () => reject(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })));
      }),
    } as unknown as CloudWatchClient;
    await expect(new CloudWatchAlarmDetails(client, 'eu-west-1', 100).describe(ARN)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('behind the cache, a storm of 500 alerts of one alarm costs 2 calls', async () => {
    const { client, sent } = mockClient((c) => (c instanceof ListTagsForResourceCommand ? { Tags: [] } : { MetricAlarms: [alarm('checkout-5xx-rate')] }));
    const cached = cachedAlarmDetails(new CloudWatchAlarmDetails(client, 'eu-west-1'), { clock: { now: () => new Date(0) }, ttlSeconds: 300, maxEntries: 100 });
    for (let i = 0; i < 500; i++) await cached.describe(ARN);
    expect(sent).toHaveLength(2);
    expect(cached.apiCalls()).toBe(2);
  });
});

describe('CloudWatchAlarmDetails.states', () => {
  it('batches up to 100 names per DescribeAlarms call, follows NextToken, skips other Regions', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `alarm-${i}`);
    const { client, sent } = mockClient((c) => {
      const input = (c as DescribeAlarmsCommand).input;
      const chunk = input.AlarmNames ?? [];
      // The first page of the first chunk answers half and a token.
      if (chunk[0] === 'alarm-0' && !input.NextToken) return { MetricAlarms: chunk.slice(0, 50).map((n) => alarm(n)), NextToken: 't1' };
      if (input.NextToken === 't1') return { MetricAlarms: chunk.slice(50).map((n) => alarm(n, 'ALARM')) };
      return { MetricAlarms: chunk.map((n) => alarm(n)) };
    });
    const details = new CloudWatchAlarmDetails(client, 'eu-west-1');
    const readings = await details.states([...names.map((name) => ({ region: 'eu-west-1', name })), { region: 'us-east-1', name: 'elsewhere' }]);
    const inputs = sent.map((s) => (s.command as DescribeAlarmsCommand).input);
    expect(inputs.map((i) => i.AlarmNames!.length)).toEqual([100, 100, 100, 50]);
    expect(inputs.every((i) => i.AlarmNames!.length <= DESCRIBE_ALARMS_MAX_NAMES && i.AlarmTypes!.length === 2)).toBe(true);
    expect(inputs.flatMap((i) => i.AlarmNames)).not.toContain('elsewhere');
    expect(readings).toHaveLength(250);
    expect(readings[0]).toEqual({ region: 'eu-west-1', name: 'alarm-0', arn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:alarm-0', state: 'OK', stateUpdatedAt: '2024-06-10T14:10:00.000Z' });
    expect(readings.find((r) => r.name === 'alarm-60')!.state).toBe('ALARM');
    expect(details.apiCalls()).toBe(4);
  });
});
