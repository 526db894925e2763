import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePipelineConfigText } from '../../lambdas/core/config/parse-pipeline-config-text';
import { ConfigError } from '../../lambdas/core/errors';
import { createApp } from '../../lib/app';
import { checkDeployConstraints, loadPipelineConfig } from '../../lib/config/load-pipeline-config';
import { cleanUpOutdirs, configWith, PROJECT_ROOT, testAppProps } from './helpers';

const BAD = path.join(PROJECT_ROOT, 'test', 'fixtures', 'config', 'bad');

/** Each bad fixture and the path + problem its ConfigError must name. */
const BAD_CONFIGS: Array<[file: string, path: string, problem: RegExp]> = [
  ['unknown-key.yaml', 'processing', /unknown key "retries"/],
  ['unknown-team.yaml', 'services[1].team', /unknown team "billing"/],
  ['missing-default-route.yaml', 'routing.default', /expected object/],
  ['duplicate-service.yaml', 'services[1].name', /duplicate name "platform"/],
  ['bad-severity.yaml', 'sources.cloudwatch.defaultSeverity', /expected one of "sev1", "sev2", "sev3"/],
  ['schedule-unknown-person.yaml', 'schedules[0].layers[0].members[1]', /unknown person "zoe"/],
  ['custom-rotation-without-shift-hours.yaml', 'schedules[0].layers[0].shiftHours', /required for a custom rotation/],
  ['schedule-start-not-a-date.yaml', 'schedules[0].layers[0].start', /not a real date and time/],
  ['schedule-bad-timezone.yaml', 'schedules[0].timezone', /IANA time zone/],
  ['policy-unknown-schedule.yaml', 'escalationPolicies[0].levels[0].targets[0].schedule', /unknown schedule "secondary"/],
  ['policy-targets-sms-channel.yaml', 'escalationPolicies[0].levels[0].targets[0].channel', /is an sms channel/],
];

function configErrorOf(action: () => unknown): ConfigError {
  try {
    action();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('pipeline config at synth', () => {
  afterAll(cleanUpOutdirs);

  it('accepts config/pipeline.yaml', () => {
    expect(loadPipelineConfig(path.join(PROJECT_ROOT, 'config', 'pipeline.yaml')).version).toBe(1);
  });

  it.each(BAD_CONFIGS)('rejects %s naming %s', (file, issuePath, problem) => {
    const error = configErrorOf(() => parsePipelineConfigText(readFileSync(path.join(BAD, file), 'utf8'), file));
    expect(error.issues).toContainEqual({ path: issuePath, message: expect.stringMatching(problem) });
    expect(error.message).toContain(`${file} is invalid`);
    expect(error.message).toContain(`${issuePath}: `);
  });

  it('defaults the operations section and names a bad ops subscriber or threshold', () => {
    const minimal = 'version: 1\nteams: [{ name: platform }]\nservices: [{ name: platform, team: platform }]\nrouting: { default: { service: platform } }\n';
    const config = parsePipelineConfigText(minimal, 'minimal.yaml');
    expect(config.operations).toEqual({ subscribers: [], thresholds: expect.objectContaining({ functionErrors: 0, api5xx: 5, queueAgeSeconds: 300 }) });
    expect(config.operations.thresholds.executionsAborted).toBeUndefined();
    const bad = configErrorOf(() => parsePipelineConfigText(`${minimal}operations: { subscribers: [{ type: email, address: not-an-address }] }\n`, 'bad.yaml'));
    expect(bad.message).toMatch(/operations\.subscribers\[0\]/);
    const threshold = configErrorOf(() => parsePipelineConfigText(`${minimal}operations: { thresholds: { api5xx: -1 } }\n`, 'bad.yaml'));
    expect(threshold.message).toMatch(/operations\.thresholds\.api5xx/);
  });

  it('names the file when it cannot be read', () => {
    const error = configErrorOf(() => loadPipelineConfig(path.join(BAD, 'does-not-exist.yaml')));
    expect(error.message).toMatch(/cannot read .*does-not-exist\.yaml/);
  });

  it('rejects a batch size above 10 without a batching window (an SQS limit the shared schema does not know)', () => {
    const config = configWith((c) => ({ ...c, processing: { ...c.processing, batchSize: 100, batchWindowSeconds: 0 } }));
    const error = configErrorOf(() => checkDeployConstraints(config, 'pipeline.yaml'));
    expect(error.issues).toEqual([{ path: 'processing.batchWindowSeconds', message: expect.stringContaining('at least 1') }]);
    expect(() => createApp(config, { appProps: testAppProps(), nag: false })).toThrow(ConfigError);
  });

  it('fails `bin/alert-pipeline.ts` with a non-zero exit and the path-qualified message', () => {
    const fixture = path.join(BAD, 'unknown-team.yaml');
    const result = spawnSync('npx', ['tsx', 'bin/alert-pipeline.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PIPELINE_CONFIG: fixture, CDK_OUTDIR: path.join(testAppProps().outdir) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${fixture} is invalid`);
    expect(result.stderr).toContain('services[1].team: unknown team "billing"');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a config error, not a stack trace
  });
});
