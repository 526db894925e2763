/**
 * The only place Lambda code reads the environment. Each reader throws a clear error when a required variable is
 * missing, at first use (cold start), never halfway through a request.
 */
import { parsePipelineConfig } from '../../core/config/parse-pipeline-config';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { ENV } from './env-names';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const env = {
  tableName: () => required(ENV.tableName),
  queueUrl: () => required(ENV.queueUrl),
  deadLetterQueueUrl: () => required(ENV.deadLetterQueueUrl),
  archiveBucket: () => required(ENV.archiveBucket),
  ingestTokenSecretId: () => required(ENV.ingestTokenSecretId),
  apiTokenSecretId: () => required(ENV.apiTokenSecretId),
  snsAllowedTopicArns: (): string[] =>
    (process.env[ENV.snsAllowedTopicArns] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};

let config: PipelineConfig | undefined;

/**
 * The pipeline config the function was deployed with. The CDK app inlines it at bundle time by replacing the
 * expression `process.env.PIPELINE_CONFIG_JSON` with the JSON text (esbuild `define`).
 */
export function deployedConfig(): PipelineConfig {
  if (!config) {
    const text = process.env.PIPELINE_CONFIG_JSON;
    if (!text) throw new Error(`${ENV.pipelineConfigJson} is not set: the function was not built by the CDK app`);
    config = parsePipelineConfig(JSON.parse(text), ENV.pipelineConfigJson);
  }
  return config;
}
