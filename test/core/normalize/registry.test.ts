import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SOURCES } from '../../../lambdas/core/model/alert';
import { SOURCE_REGISTRY } from '../../../lambdas/core/normalize';
import { normalizeFixture, REPO_ROOT } from '../../support/fixtures';

const DESCRIPTORS = SOURCES.map((source) => [source, SOURCE_REGISTRY[source]] as const);

describe('SOURCE_REGISTRY', () => {
  it('describes every source and nothing else', () => {
    expect(Object.keys(SOURCE_REGISTRY).sort()).toEqual([...SOURCES].sort());
  });

  it.each(DESCRIPTORS)('describes %s completely', (source, d) => {
    expect(d.name).toBe(source);
    expect(d.identityFields.length).toBeGreaterThan(0);
    for (const sentence of [d.displayName, d.resolveCondition, d.idempotencyKey, d.fingerprintKey]) expect(sentence.trim().length).toBeGreaterThan(0);
    expect(existsSync(join(REPO_ROOT, d.exampleFixture))).toBe(true);
    expect(existsSync(join(REPO_ROOT, d.exampleFixture.replace(/\.json$/, '.expected.json')))).toBe(true);
  });

  it.each(DESCRIPTORS)('lists the identity fields the %s normalizer actually uses', (source, d) => {
    const name = basename(d.exampleFixture, '.json');
    const body = JSON.parse(readFileSync(join(REPO_ROOT, d.exampleFixture), 'utf8')) as unknown;
    for (const alert of normalizeFixture(source, name, body)) {
      expect(alert.source).toBe(source);
      expect(alert.identity.map(([field]) => field)).toEqual([...d.identityFields]);
    }
  });
});

describe('normalize modules', () => {
  const dir = join(REPO_ROOT, 'lambdas', 'core', 'normalize');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s stays pure (no AWS SDK, environment, clock, randomness or network)', (file) => {
    const code = readFileSync(join(dir, file), 'utf8');
    for (const forbidden of [/@aws-sdk\//, /process\.env/, /Date\.now\(/, /Math\.random\(/, /\bfetch\(/, /node:(https?|net|fs)\b/, /new Date\(\)/]) {
      expect(code).not.toMatch(forbidden);
    }
  });
});
