/** The `cloudwatchAlarms` config section: defaults, and a bad value named by its path. */
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { ConfigError } from '../../../lambdas/core/errors';

const base = {
  version: 1,
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  routing: { default: { service: 'platform' } },
};

function problemOf(cloudwatchAlarms: unknown): string {
  try {
    parsePipelineConfig({ ...base, cloudwatchAlarms });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw err;
  }
  return 'valid';
}

describe('cloudwatchAlarms config', () => {
  it('defaults: enrichment on, 5-minute cache of 1,000 alarms, 2 s calls, reconciliation after 5 minutes, 200 a sweep, no local alarms', () => {
    expect(parsePipelineConfig(base).cloudwatchAlarms).toEqual({
      enrichment: true, cacheSeconds: 300, cacheSize: 1000, timeoutMs: 2000, reconcile: { enabled: true, afterMinutes: 5, maxPerSweep: 200 }, local: {},
    });
    expect(parsePipelineConfig({ ...base, cloudwatchAlarms: { reconcile: { afterMinutes: 1 } } }).cloudwatchAlarms.reconcile).toEqual({ enabled: true, afterMinutes: 1, maxPerSweep: 200 });
  });

  it.each([
    [{ cacheSeconds: -1 }, /^cloudwatchAlarms\.cacheSeconds: /],
    [{ cacheSize: 0 }, /^cloudwatchAlarms\.cacheSize: /],
    [{ timeoutMs: 60_000 }, /^cloudwatchAlarms\.timeoutMs: /],
    [{ reconcile: { maxPerSweep: 0 } }, /^cloudwatchAlarms\.reconcile\.maxPerSweep: /],
    [{ local: { a: { state: 'FIRING' } } }, /^cloudwatchAlarms\.local\.a\.state: /],
    [{ local: { a: { tags: { team: 1 } } } }, /^cloudwatchAlarms\.local\.a\.tags\.team: /],
    [{ local: { a: { colour: 'red' } } }, /^cloudwatchAlarms\.local\.a: unknown key "colour"/],
    [{ ttl: 5 }, /^cloudwatchAlarms: unknown key "ttl"/],
  ])('%j is rejected, naming the field', (section, problem) => {
    expect(problemOf(section)).toMatch(problem);
  });

  it('a rule on alarm.* is type-checked when the config is loaded', () => {
    const withRule = (when: string) => {
      try {
        parsePipelineConfig({ ...base, rules: { routing: [{ name: 'r', when, route: { service: 'platform' } }] } });
        return 'valid';
      } catch (err) {
        return (err as ConfigError).message;
      }
    };
    expect(withRule('alarm.tags.team == "payments" && alarm.enriched && alarm.description.contains("x")')).toBe('valid');
    expect(withRule('alarm.tags.team + 1 == 2')).toMatch(/rules\.routing\[0\]\.when/);
    expect(withRule('alarm.nope == "x"')).toMatch(/rules\.routing\[0\]\.when/);
  });
});
