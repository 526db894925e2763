/**
 * The local runtime's escalation definition is THE synthesized one, synthesized in a short-lived child process (so
 * the runtime never holds aws-cdk-lib in memory) and cached on disk, keyed by the config, cdk.json and the lockfile,
 * and valid only while every source file the synthesis loaded is unchanged.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { ESCALATION_STATES } from '../../lib/constructs/escalation-state-machine';
import { forgetSynthesized, synthesizeEscalationStateMachine } from '../../lambdas/local/synthesized-state-machine';

const raw = {
  version: 1,
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  channels: [{ name: 'hook', type: 'webhook', secret: 'hook' }],
  escalationPolicies: [{ name: 'once', levels: [{ targets: [{ channel: 'hook' }], escalateAfterMinutes: 10 }] }],
  routing: { default: { service: 'platform', escalationPolicy: 'once' } },
};
const config = parsePipelineConfig(raw);

jest.setTimeout(60_000);

describe('synthesized state machine: child process and disk cache', () => {
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'synth-cache-'));
    forgetSynthesized();
  });
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

  const entryFile = () => join(cacheDir, readdirSync(cacheDir).find((f) => f.endsWith('.json'))!);

  it('synthesizes in a child process, then a fresh start reads the same definition from the cache', async () => {
    const first = await synthesizeEscalationStateMachine(config, { cacheDir });
    expect(first.origin).toBe('child');
    expect(first.tasks).toEqual({ [ESCALATION_STATES.page]: 'escalationStep', [ESCALATION_STATES.recordFailure]: 'escalationStep' });
    forgetSynthesized();
    const second = await synthesizeEscalationStateMachine(config, { cacheDir });
    expect(second.origin).toBe('cache');
    expect(second.definition).toEqual(first.definition);
    expect(second.tasks).toEqual(first.tasks);
  });

  it('records every source file the synthesis loaded (the state machine construct and the function table among them)', async () => {
    await synthesizeEscalationStateMachine(config, { cacheDir });
    const entry = JSON.parse(readFileSync(entryFile(), 'utf8')) as { sources: Record<string, string> };
    expect(Object.keys(entry.sources)).toEqual(expect.arrayContaining(['lib/constructs/escalation-state-machine.ts', 'lambdas/handlers/functions.ts', 'lib/app.ts']));
    expect(Object.keys(entry.sources).some((p) => p.includes('node_modules'))).toBe(false);
  });

  it('a changed source file the synthesis loaded invalidates the cached definition (synthesized again)', async () => {
    await synthesizeEscalationStateMachine(config, { cacheDir });
    const file = entryFile();
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { sources: Record<string, string>; result: { definition: Record<string, unknown> } };
    const real = entry.result.definition;
    // A stand-in source (an absolute path; repository files are recorded relative to the root) and a stale definition.
    const source = join(cacheDir, 'source.ts');
    writeFileSync(source, 'export const x = 1;\n');
    entry.sources[source] = createHash('sha256').update('export const x = 1;\n').digest('hex');
    entry.result.definition = { stale: true };
    writeFileSync(file, JSON.stringify(entry));
    forgetSynthesized();
    expect((await synthesizeEscalationStateMachine(config, { cacheDir })).definition).toEqual({ stale: true }); // unchanged sources: the cache is used
    writeFileSync(source, 'export const x = 2;\n');
    forgetSynthesized();
    const again = await synthesizeEscalationStateMachine(config, { cacheDir });
    expect(again.origin).toBe('child');
    expect(again.definition).toEqual(real);
  });

  it('a changed config is another cache entry', async () => {
    await synthesizeEscalationStateMachine(config, { cacheDir });
    const other = parsePipelineConfig({ ...raw, processing: { batchSize: 7 } });
    forgetSynthesized();
    const result = await synthesizeEscalationStateMachine(other, { cacheDir });
    expect(result.origin).toBe('child');
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });
});
