/** The pipeline config a function was deployed with (only functions that need config import this). */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import { ENV } from './env-names';
import { ConfigError } from '../../core/errors';

let config: PipelineConfig | undefined;

/**
 * The pipeline config the function was deployed with. The CDK app inlines it at bundle time by replacing the
 * expression `process.env.PIPELINE_CONFIG_JSON` with the JSON text (esbuild `define`). That text is the config the
 * app already validated at synth (`parsePipelineConfig`, defaults filled in), so it is not parsed with the schema
 * again: the schema would bring zod, CEL, Luxon and rrule into every bundle and run at every cold start, and a second
 * parse gives the same object (test/handlers/deployed-config.test.ts).
 */
export function deployedConfig(): PipelineConfig {
  if (!config) {
    const text = process.env.PIPELINE_CONFIG_JSON;
    if (!text) throw ConfigError.problem(`${ENV.pipelineConfigJson} is not set: the function was not built by the CDK app`);
    config = JSON.parse(text) as PipelineConfig;
  }
  return config;
}
