/**
 * Parses a pipeline config document (YAML or JSON text) and validates it with the one schema. Used at `cdk synth`
 * and at local start-up; duplicate keys and YAML syntax errors are ConfigErrors too.
 */
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors';
import { parsePipelineConfig } from './parse-pipeline-config';
import type { PipelineConfig } from './pipeline-config.schema';

export function parsePipelineConfigText(text: string, sourceName = 'config'): PipelineConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? 'YAML error' })), sourceName);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // Unresolved aliases (`*name` with no anchor) and alias bombs surface here, not in doc.errors.
    throw new ConfigError([{ path: '', message: `YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }], sourceName);
  }
  return parsePipelineConfig(value, sourceName);
}
