/**
 * Stage "enrich" (processor side, before the rules): every CloudWatch alarm alert gets its alarm's tags and
 * description (`alert.alarm`, seen by rules as `alarm`), read through the AlarmDetails port (CloudWatch
 * ListTagsForResource + DescribeAlarms in AWS, cached per ARN; the config's stand-in locally). One lookup per
 * distinct alarm of a batch. A lookup that fails never holds the alert back: it goes on with empty tags, and its
 * decision trace says that enrichment failed and why.
 */
import { AlertPipelineError } from '../errors';
import type { AlarmContext, NormalizedAlert } from '../model/alert';
import { step, type TraceStep } from '../model/trace';
import type { AlarmDetails, AlarmInfo } from '../ports';
import type { CloudwatchAlarmsConfig } from '../config/cloudwatch-alarms.schema';

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>` (names may contain colons). */
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;

/** The alarm an alert is about: its ARN (the CloudWatch identity field), region, account and name. */
export function alarmIdentityOf(alert: NormalizedAlert): Omit<AlarmContext, 'tags' | 'description' | 'enriched'> | null {
  if (alert.source !== 'cloudwatch') return null;
  const arn = alert.identity.find(([k]) => k === 'AlarmArn')?.[1];
  const m = arn === undefined ? null : ALARM_ARN.exec(arn);
  if (!arn || !m) return null;
  return { arn, region: m[1] as string, account: m[2] as string, name: m[3] as string };
}

/**
 * The description the alarm message itself carried: SNS `AlarmDescription`, EventBridge
 * `detail.configuration.description`, alarm -> Lambda `alarmData.configuration.description`.
 */
function messageDescription(raw: unknown): string {
  if (raw === null || typeof raw !== 'object') return '';
  const r = raw as Record<string, unknown>;
  if (typeof r.AlarmDescription === 'string') return r.AlarmDescription;
  const inner = (r.detail ?? r.alarmData) as { configuration?: { description?: unknown } } | undefined;
  const fromConfiguration = inner?.configuration?.description;
  return typeof fromConfiguration === 'string' ? fromConfiguration : '';
}

export type Enricher = (alert: NormalizedAlert) => { alert: NormalizedAlert; step: TraceStep | null };

const MAX_TAGS_IN_REASON = 8;

function describeTags(tags: Record<string, string>): string {
  const entries = Object.entries(tags);
  if (entries.length === 0) return 'no tags';
  const shown = entries.slice(0, MAX_TAGS_IN_REASON).map(([k, v]) => `${k}=${v}`).join(', ');
  return entries.length > MAX_TAGS_IN_REASON ? `${shown} and ${entries.length - MAX_TAGS_IN_REASON} more` : shown;
}

/** One line: the SDK's error name (AccessDenied, ThrottlingException, TimeoutError...) and message. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const named = err.name && err.name !== 'Error' && !(err instanceof AlertPipelineError);
  return `${named ? `${err.name}: ` : ''}${err.message}`.split('\n')[0] ?? 'unknown error';
}

type Answer = { ok: true; info: AlarmInfo } | { ok: false; error: string };

/** One alert with its alarm's answer (undefined: enrichment is off). */
function enrichOne(alert: NormalizedAlert, answer: Answer | undefined, source: string): { alert: NormalizedAlert; step: TraceStep | null } {
  const id = alarmIdentityOf(alert);
  if (id === null) return { alert, step: null };
  const fallback = messageDescription(alert.raw);
  if (answer === undefined) {
    return {
      alert: { ...alert, alarm: { ...id, tags: {}, description: fallback, enriched: false } },
      step: step('enrich', 'off', 'alarm enrichment is off (cloudwatchAlarms.enrichment): rules see no alarm tags', { arn: id.arn }),
    };
  }
  if (!answer.ok) {
    return {
      alert: { ...alert, alarm: { ...id, tags: {}, description: fallback, enriched: false } },
      step: step('enrich', 'failed',
        `enrichment failed: could not read the tags and description of alarm ${id.name} (${answer.error}); the alert goes on, rules see no alarm tags`,
        { arn: id.arn, error: answer.error }),
    };
  }
  const { tags, description } = answer.info;
  return {
    alert: { ...alert, alarm: { ...id, tags: { ...tags }, description: description || fallback, enriched: true } },
    step: step('enrich', 'enriched', `alarm ${id.name}: ${describeTags(tags)}${description ? '; with its description' : ''}`, {
      arn: id.arn, tags, ...(answer.info.state !== undefined ? { state: answer.info.state } : {}), ...(source ? { from: source } : {}),
    }),
  };
}

/**
 * Looks up every distinct alarm of `alerts` once (concurrently), then returns the function that enriches one alert.
 * `details` null = enrichment is off (the trace says so). Never throws.
 */
export async function alarmEnricher(
  alerts: readonly NormalizedAlert[],
  details: AlarmDetails | null,
  log?: (level: 'warn', message: string, data: Record<string, unknown>) => void,
): Promise<Enricher> {
  const arns = new Set<string>();
  for (const a of alerts) {
    const id = alarmIdentityOf(a);
    if (id) arns.add(id.arn);
  }
  const answers = new Map<string, Answer>();
  if (details !== null) {
    await Promise.all([...arns].map(async (arn) => {
      try {
        answers.set(arn, { ok: true, info: await details.describe(arn) });
      } catch (err) {
        answers.set(arn, { ok: false, error: errorText(err) });
        log?.('warn', 'alarm enrichment failed; the alerts go on without the alarm tags', { alarmArn: arn, error: errorText(err) });
      }
    }));
  }
  return (alert) => {
    const id = alarmIdentityOf(alert);
    if (id === null) return { alert, step: null };
    return enrichOne(alert, details === null ? undefined : answers.get(id.arn) ?? { ok: false, error: 'not looked up' }, '');
  };
}

type LocalAlarm = CloudwatchAlarmsConfig['local'][string];

/**
 * An alarm's entry in `cloudwatchAlarms.local`: by ARN, else by name, else the longest `<prefix>*` key the name
 * starts with (alarms named per environment or per run: `checkout-5xx-rate*`).
 */
export function localAlarmEntry(local: CloudwatchAlarmsConfig['local'], name: string, arn?: string): LocalAlarm | undefined {
  const exact = (arn !== undefined ? local[arn] : undefined) ?? local[name];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(local)) {
    if (key.endsWith('*') && name.startsWith(key.slice(0, -1)) && key.length > (best?.length ?? 0)) best = key;
  }
  return best === undefined ? undefined : local[best];
}

/** What the stand-in answers for an alarm (localAlarmEntry); an unlisted alarm has no tags and no description. */
export function localAlarmInfo(local: CloudwatchAlarmsConfig['local'], alarmArn: string): AlarmInfo {
  const name = ALARM_ARN.exec(alarmArn)?.[3];
  const e = name === undefined ? local[alarmArn] : localAlarmEntry(local, name, alarmArn);
  const info: AlarmInfo = { tags: { ...(e?.tags ?? {}) }, description: e?.description ?? '' };
  if (e?.state !== undefined) info.state = e.state;
  return info;
}

/**
 * The golden cases' and replay's enrichment (core/simulate): synchronous, from the config's `cloudwatchAlarms.local`
 * (the same stand-in as the local runtime), so a rule on `alarm.tags` can be tested and replayed without AWS.
 */
export function configEnricher(config: { cloudwatchAlarms: CloudwatchAlarmsConfig }): Enricher {
  const c = config.cloudwatchAlarms;
  return (alert) => {
    const id = alarmIdentityOf(alert);
    if (id === null) return { alert, step: null };
    return enrichOne(alert, c.enrichment ? { ok: true, info: localAlarmInfo(c.local, id.arn) } : undefined, 'cloudwatchAlarms.local');
  };
}
