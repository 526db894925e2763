/**
 * Parses a pipeline config document (YAML or JSON text, or an already parsed object) with the one schema, and
 * turns every problem into a ConfigError naming the path. Pure: reading the file is the caller's job.
 */
import * as z from 'zod/mini';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors';
import { issuesOf } from '../normalize/shared';
import { PipelineConfigSchema, type PipelineConfig } from './pipeline-config.schema';

export function parsePipelineConfigText(text: string, sourceName = 'config'): PipelineConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? 'YAML error' })), sourceName);
  }
  return parsePipelineConfig(doc.toJS(), sourceName);
}

export function parsePipelineConfig(value: unknown, sourceName = 'config'): PipelineConfig {
  const result = z.safeParse(PipelineConfigSchema, value);
  if (!result.success) throw new ConfigError(issuesOf(result.error), sourceName);
  return result.data;
}
