/**
 * The local runtime's stand-in for CloudWatch alarms (AlarmDetails): tags, description and state come from the
 * config's `cloudwatchAlarms.local`, keyed by alarm ARN, name or `<name prefix>*`, in that order (localAlarmEntry). An alarm that
 * is not listed has no tags and no description. States answer what the config says, as of now (the clock): that is
 * what the sweeper's reconciliation reads. DescribeAlarms answers with the alarm's ARN; the stand-in knows it when
 * the key is an ARN, or once it has described one of the alarm's alerts since the runtime started.
 * See docs/sources.md §CloudWatch alarm enrichment.
 */
import type { CloudwatchAlarmsConfig } from '../../core/config/cloudwatch-alarms.schema';
import type { AlarmDetails, AlarmInfo, AlarmRef, AlarmStateReading, Clock } from '../../core/ports';
import { localAlarmEntry, localAlarmInfo } from '../../core/enrich/alarm-enrichment';

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;

type LocalAlarm = CloudwatchAlarmsConfig['local'][string];

export class ConfigAlarmDetails implements AlarmDetails {
  private answers = 0;
  /** `<region>\n<name>` -> ARN, from ARN keys and from the alarms described so far. */
  private readonly arns = new Map<string, string>();

  constructor(private readonly alarms: CloudwatchAlarmsConfig['local'], private readonly clock: Clock) {
    for (const key of Object.keys(alarms)) {
      const m = ALARM_ARN.exec(key);
      if (m) this.arns.set(`${m[1]}\n${m[3]}`, key);
    }
  }

  apiCalls(): number {
    return this.answers;
  }

  private entry(region: string, name: string): LocalAlarm | undefined {
    return localAlarmEntry(this.alarms, name, this.arns.get(`${region}\n${name}`));
  }

  async describe(alarmArn: string): Promise<AlarmInfo> {
    this.answers += 1;
    const m = ALARM_ARN.exec(alarmArn);
    if (!m) return { tags: {}, description: '' };
    const key = `${m[1]}\n${m[3]}`;
    if (!this.arns.has(key)) this.arns.set(key, alarmArn);
    return localAlarmInfo(this.alarms, alarmArn);
  }

  async states(refs: readonly AlarmRef[]): Promise<AlarmStateReading[]> {
    this.answers += Math.ceil(refs.length / 100);
    const now = this.clock.now().toISOString();
    const out: AlarmStateReading[] = [];
    for (const { region, name } of refs) {
      const state = this.entry(region, name)?.state;
      const arn = this.arns.get(`${region}\n${name}`);
      if (state !== undefined && arn !== undefined) out.push({ region, name, arn, state, stateUpdatedAt: now });
    }
    return out;
  }
}
