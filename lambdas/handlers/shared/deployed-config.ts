/** The pipeline config a function was deployed with (only functions that need config import this). */
import { parsePipelineConfig } from '../../core/config/parse-pipeline-config';
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { ENV } from './env-names';
import { ConfigError } from '../../core/errors';

let config: PipelineConfig | undefined;

/**
 * The pipeline config the function was deployed with. The CDK app inlines it at bundle time by replacing the
 * expression `process.env.PIPELINE_CONFIG_JSON` with the JSON text (esbuild `define`).
 */
export function deployedConfig(): PipelineConfig {
  if (!config) {
    const text = process.env.PIPELINE_CONFIG_JSON;
    if (!text) throw ConfigError.problem(`${ENV.pipelineConfigJson} is not set: the function was not built by the CDK app`);
    config = parsePipelineConfig(JSON.parse(text), ENV.pipelineConfigJson);
  }
  return config;
}
