/**
 * AlarmDetails over CloudWatch (the processor and the sweeper in AWS): an alarm's tags with ListTagsForResource (by
 * ARN) and its description and state with DescribeAlarms (by name, metric and composite alarms, up to 100 names per
 * call). Reads the alarms of the function's own Region only (an alarm of another Region is refused without a call,
 * and the IAM grant covers this account's alarms in this Region). Each call is bounded by `timeoutMs`; the core
 * caches answers per ARN (core/enrich/alarm-details-cache.ts) and traces failures.
 */
import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand, type DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import { TransientError } from '../../core/errors';
import type { AlarmDetails, AlarmInfo, AlarmRef, AlarmStateReading } from '../../core/ports';

/** DescribeAlarms takes at most 100 alarm names per call. */
export const DESCRIBE_ALARMS_MAX_NAMES = 100;

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;

interface AlarmRecord {
  AlarmArn?: string | undefined;
  AlarmName?: string | undefined;
  AlarmDescription?: string | undefined;
  StateValue?: string | undefined;
  StateUpdatedTimestamp?: Date | undefined;
}

function alarmsOf(out: DescribeAlarmsCommandOutput): AlarmRecord[] {
  return [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
}

export class CloudWatchAlarmDetails implements AlarmDetails {
  private calls = 0;

  constructor(
    private readonly client: CloudWatchClient,
    /** The Region this function runs in (AWS_REGION). */
    private readonly region: string,
    private readonly timeoutMs = 2000,
  ) {}

  apiCalls(): number {
    return this.calls;
  }

  /** Per-call options: the time bound (an aborted call fails with the SDK's abort error, traced by the core). */
  private options(): { abortSignal: AbortSignal } {
    this.calls += 1;
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
  }

  async describe(alarmArn: string): Promise<AlarmInfo> {
    const m = ALARM_ARN.exec(alarmArn);
    if (!m) throw new TransientError(`not a CloudWatch alarm ARN: ${alarmArn}`);
    const [, region, , name] = m as unknown as [string, string, string, string];
    if (region !== this.region) {
      throw new TransientError(`the alarm is in ${region}; this pipeline reads the alarms of ${this.region} only`);
    }
    const [tags, described] = await Promise.all([
      this.client.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }), this.options()),
      this.client.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }), this.options()),
    ]);
    const alarm = alarmsOf(described).find((a) => a.AlarmArn === alarmArn);
    const info: AlarmInfo = {
      tags: Object.fromEntries((tags.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? ''])),
      description: alarm?.AlarmDescription ?? '',
    };
    if (alarm?.StateValue !== undefined) info.state = alarm.StateValue;
    return info;
  }

  async states(alarms: readonly AlarmRef[]): Promise<AlarmStateReading[]> {
    const names = [...new Set(alarms.filter((a) => a.region === this.region).map((a) => a.name))];
    const out: AlarmStateReading[] = [];
    for (let i = 0; i < names.length; i += DESCRIBE_ALARMS_MAX_NAMES) {
      const chunk = names.slice(i, i + DESCRIBE_ALARMS_MAX_NAMES);
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(new DescribeAlarmsCommand({
          AlarmNames: chunk, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: DESCRIBE_ALARMS_MAX_NAMES, ...(nextToken ? { NextToken: nextToken } : {}),
        }), this.options());
        for (const a of alarmsOf(page)) {
          if (!a.AlarmArn || !a.AlarmName || !a.StateValue || !a.StateUpdatedTimestamp) continue;
          out.push({ region: this.region, name: a.AlarmName, arn: a.AlarmArn, state: a.StateValue, stateUpdatedAt: a.StateUpdatedTimestamp.toISOString() });
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return out;
  }
}
