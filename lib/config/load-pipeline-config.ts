/**
 * Reads the pipeline config file and validates it with the one schema (lambdas/core/config). A bad file throws
 * ConfigError naming the file, the path and the problem, which fails `cdk synth`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePipelineConfigText } from '../../lambdas/core/config/parse-pipeline-config-text';
import type { PipelineConfig } from '../../lambdas/core/config/pipeline-config.schema';
import { ConfigError } from '../../lambdas/core/errors';

/** Config file used when neither PIPELINE_CONFIG nor the `config` context names one. */
export const DEFAULT_CONFIG_PATH = 'config/pipeline.yaml';

export function loadPipelineConfig(file: string): PipelineConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read ${path.resolve(file)}: ${(err as Error).message}` }], file);
  }
  const config = parsePipelineConfigText(text, file);
  checkDeployConstraints(config, file);
  return config;
}

/**
 * Limits of the AWS services that the schema does not know (it is shared with the local runtime, where they do
 * not apply): an SQS event source takes more than 10 messages per batch only with a batching window >= 1 s.
 */
export function checkDeployConstraints(config: PipelineConfig, sourceName = 'config'): void {
  const { batchSize, batchWindowSeconds } = config.processing;
  if (batchSize > 10 && batchWindowSeconds < 1) {
    throw new ConfigError(
      [
        {
          path: 'processing.batchWindowSeconds',
          message: `must be at least 1 when processing.batchSize is above 10 (batchSize is ${batchSize}; an SQS event source limit)`,
        },
      ],
      sourceName,
    );
  }
}
