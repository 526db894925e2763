import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import type { NormalizedAlert } from '../../../lambdas/core/model/alert';
import { eventTypeOf, SOURCE_REGISTRY, SOURCES, SOURCE_EVENT_TYPES } from '../../../lambdas/core/normalize';
import { HTTP_ROUTES } from '../../../lambdas/handlers/routes';
import { errorOf, FIXTURE_CTX, FIXTURES_ROOT, listFixtures, listInvalidFixtures, loadExpected, loadFixture, normalizeFixture, REPO_ROOT } from '../../support/fixtures';
import { expectNormalizedOrInvalid, FUZZ_RUNS, mutatedFrom } from '../../support/normalize-fuzz';

const DESCRIPTORS = SOURCES.map((source) => [source, SOURCE_REGISTRY[source]] as const);

describe('SOURCE_REGISTRY', () => {
  it('keys every descriptor by its name', () => {
    for (const [source, d] of DESCRIPTORS) expect(d.name).toBe(source);
  });

  it.each(DESCRIPTORS)('describes %s completely', (_source, d) => {
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

  it('serves every source route, and the EventBridge route, from the route table', () => {
    const paths = HTTP_ROUTES.filter((r) => r.fn === 'ingestHttp').map((r) => r.path);
    expect(paths).toEqual([...SOURCES.flatMap((s) => SOURCE_REGISTRY[s].routes.map((r) => r.path)), '/ingest/eventbridge/{token}']);
  });

  it('accepts each EventBridge source and detail-type pair once', () => {
    const pairs = SOURCE_EVENT_TYPES.map((t) => `${t.type.source}|${t.type.detailType}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('names an unknown EventBridge source and detail-type pair', () => {
    const error = errorOf(() => eventTypeOf({ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: {} }));
    expect(error.issues[0]?.path).toBe('detail-type');
    expect(error.issues[0]?.message).toContain('"aws.health"');
    expect(error.issues[0]?.message).toContain('"AWS Health Event"');
  });
});

/** The fixture table of every source with a fixture folder: valid cases to their expected output, invalid ones to the field. */
describe.each(SOURCES.filter((s) => existsSync(join(FIXTURES_ROOT, s))))('fixtures of %s', (source) => {
  const valid = listFixtures(source);
  const invalid = existsSync(join(FIXTURES_ROOT, source, 'invalid')) ? listInvalidFixtures(source) : [];

  it.each(valid)('normalizes %s to its expected output', (name) => {
    expect(normalizeFixture(source, name, loadFixture(source, name))).toEqual(loadExpected(source, name));
  });

  if (invalid.length > 0) {
    it.each(invalid.map((f) => [f.name, f.errorPath, f] as const))('rejects %s naming %s', (_name, _path, f) => {
      expect(errorOf(() => normalizeFixture(source, f.name, f.body)).issues[0]?.path).toBe(f.errorPath);
    });
  }

  it('returns well-formed alerts or an InvalidPayloadError for mutated fixtures', () => {
    fc.assert(
      fc.property(fc.oneof(...valid.map((name) => mutatedFrom(loadFixture(source, name)).map((body) => [name, body] as const))), ([name, body]) =>
        expectNormalizedOrInvalid((): NormalizedAlert[] => normalizeFixture(source, name, body)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('re-normalizes every EventBridge fixture through the event type its source and detail-type name', () => {
    for (const name of valid) {
      const body = loadFixture(source, name) as Record<string, unknown>;
      if (!('detail-type' in body) || !SOURCE_EVENT_TYPES.some((t) => t.type.source === body.source && t.type.detailType === body['detail-type'])) continue;
      const { source: owner, type } = eventTypeOf(body);
      expect(owner).toBe(source);
      expect(type.normalize(body, FIXTURE_CTX)).toEqual(loadExpected(source, name));
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
