/**
 * Parses a pipeline config object with the one schema and turns every problem into a ConfigError naming the path.
 * Pure. YAML text is parsed in parse-pipeline-config-text.ts, so Lambda bundles (which get the config as JSON) do
 * not carry a YAML parser.
 */
import * as z from 'zod/mini';
import { ConfigError } from '../errors';
import { issuesOf } from '../normalize/shared';
import { PipelineConfigSchema, type PipelineConfig } from './pipeline-config.schema';

export function parsePipelineConfig(value: unknown, sourceName = 'config'): PipelineConfig {
  const result = z.safeParse(PipelineConfigSchema, value);
  if (!result.success) throw new ConfigError(issuesOf(result.error), sourceName);
  return result.data;
}
