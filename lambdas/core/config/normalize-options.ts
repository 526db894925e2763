/** The normalizer options a config implies (source-specific severity mappings and links). */
import type { NormalizeOptions } from '../normalize/shared';
import type { PipelineConfig } from './pipeline-config.schema';

export function normalizeOptionsFrom(config: PipelineConfig): NormalizeOptions {
  return {
    cloudwatchDefaultSeverity: config.sources.cloudwatch.defaultSeverity,
    alertmanagerSeverityMap: config.sources.alertmanager.severityMap,
    alertmanagerDefaultSeverity: config.sources.alertmanager.defaultSeverity,
    threatstackAlertUrlTemplate: config.sources.threatstack.alertUrlTemplate,
  };
}
