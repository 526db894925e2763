/**
 * The AlarmDetails the processor and the sweeper use: CloudWatch in AWS (the function's own Region), behind the
 * processor's per-ARN cache (config `cloudwatchAlarms.cacheSeconds`, `cacheSize`), or null when
 * `cloudwatchAlarms.enrichment` is off (the trace says so).
 */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { cachedAlarmDetails } from '../../core/enrich/alarm-details-cache';
import type { AlarmDetails, Clock } from '../../core/ports';
import { CloudWatchAlarmDetails } from '../../adapters/cloudwatch/cloudwatch-alarm-details';
import { cloudwatchClient } from './aws';
import { env } from './env';

/** The processor's enrichment source: the cache over `inner`, or null when enrichment is off. */
export function enrichmentSource(config: PipelineConfig, inner: AlarmDetails, clock: Clock): AlarmDetails | null {
  const c = config.cloudwatchAlarms;
  if (!c.enrichment) return null;
  return cachedAlarmDetails(inner, { clock, ttlSeconds: c.cacheSeconds, maxEntries: c.cacheSize });
}

export function awsAlarmDetails(config: PipelineConfig): AlarmDetails {
  return new CloudWatchAlarmDetails(cloudwatchClient(), env.awsRegion(), config.cloudwatchAlarms.timeoutMs);
}
