/**
 * A deployed function reads the config the CDK app validated at synth and inlined into its bundle, without the
 * schema (handlers/shared/deployed-config.ts). That is only sound while a validated config parses to itself: no
 * transform, coercion or default of the schema may change a value the second time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { loadPipelineConfig } from '../../lib/config/load-pipeline-config';

const ROOT = join(__dirname, '..', '..');
const CONFIGS = [
  join(ROOT, 'config', 'pipeline.yaml'),
  ...readdirSync(join(ROOT, 'config', 'examples')).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(ROOT, 'config', 'examples', f)),
];

describe('the inlined config', () => {
  it.each(CONFIGS.map((file) => [file.slice(ROOT.length + 1), file]))('%s: the validated config, as the bundle inlines it (JSON), parses to itself', (_name, file) => {
    const validated = loadPipelineConfig(file);
    const inlined: unknown = JSON.parse(JSON.stringify(validated));
    expect(inlined).toEqual(validated);
    expect(parsePipelineConfig(inlined)).toEqual(inlined);
  });
});
