/**
 * Property-based fuzzing support for the normalizers: arbitrary inputs, mutated valid fixtures, and the one
 * contract every normalizer keeps: a well-formed NormalizedAlert[] or an InvalidPayloadError, never anything else.
 */
import fc from 'fast-check';
import { InvalidPayloadError } from '../../lambdas/core/errors';
import { SEVERITIES, type NormalizedAlert } from '../../lambdas/core/model/alert';
import { SOURCES } from '../../lambdas/core/normalize/registry';

/** Runs per fuzz property: enough to find shape bugs, few enough to keep the suite fast (brief: <= 300). */
export const FUZZ_RUNS = 200;

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Anything a sender could put in a body, JSON or not. */
export const anyInput: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue(), fc.anything());

/** Asserts the invariants of one normalized alert. */
export function assertWellFormed(alert: NormalizedAlert): void {
  expect(SOURCES).toContain(alert.source);
  expect(typeof alert.deliveryKey).toBe('string');
  expect(alert.deliveryKey.length).toBeGreaterThan(0);
  expect(typeof alert.fingerprintKey).toBe('string');
  expect(alert.fingerprintKey.length).toBeGreaterThan(0);
  expect(alert.occurredAt).toMatch(ISO_UTC);
  expect(SEVERITIES).toContain(alert.severity);
  expect(['trigger', 'resolve', 'acknowledge', 'info']).toContain(alert.action);
  expect(typeof alert.title).toBe('string');
  expect(typeof alert.description).toBe('string');
  expect(typeof alert.sourceSeverity).toBe('string');
  expect(alert.identity.length).toBeGreaterThan(0);
  for (const [name, value] of alert.identity) {
    expect(typeof name).toBe('string');
    expect(typeof value).toBe('string');
  }
  for (const value of Object.values(alert.labels)) expect(typeof value).toBe('string');
  expect(alert.alertUrl === null || typeof alert.alertUrl === 'string').toBe(true);
  expect(alert.resource === null || typeof alert.resource === 'string').toBe(true);
}

/**
 * The fuzz contract: `run` either returns well-formed alerts (at least one) or throws InvalidPayloadError naming at
 * least one field. Any other error fails the property, and fast-check reports the shrunk input.
 */
export function expectNormalizedOrInvalid(run: () => NormalizedAlert[]): void {
  let alerts: NormalizedAlert[];
  try {
    alerts = run();
  } catch (error) {
    if (!(error instanceof InvalidPayloadError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(typeof issue.path).toBe('string');
    return;
  }
  expect(alerts.length).toBeGreaterThan(0);
  for (const alert of alerts) assertWellFormed(alert);
}

type PathPart = string | number;

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

/** Paths of every node below the root, and whether each is a leaf. */
function nodesOf(value: unknown, prefix: PathPart[] = [], out: Array<{ path: PathPart[]; leaf: boolean }> = []) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ path: [...prefix, i], leaf: !isContainer(item) });
      nodesOf(item, [...prefix, i], out);
    });
  } else if (isContainer(value)) {
    for (const [key, item] of Object.entries(value)) {
      out.push({ path: [...prefix, key], leaf: !isContainer(item) });
      nodesOf(item, [...prefix, key], out);
    }
  }
  return out;
}

interface Mutation {
  kind: 'drop' | 'replace-leaf';
  pick: number;
  value: unknown;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('drop', 'replace-leaf'),
  pick: fc.nat(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>('', '0', 0, -1, null, true, [], {}, '0001-01-01T00:00:00Z')),
});

function applyMutation(root: unknown, m: Mutation): unknown {
  const nodes = nodesOf(root).filter((n) => m.kind === 'drop' || n.leaf);
  if (nodes.length === 0) return root;
  const { path } = nodes[m.pick % nodes.length]!;
  let parent: unknown = root;
  for (const part of path.slice(0, -1)) parent = (parent as Record<PathPart, unknown>)[part];
  const key = path[path.length - 1]!;
  if (m.kind === 'drop') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, unknown>)[key as string];
  } else {
    (parent as Record<PathPart, unknown>)[key] = m.value;
  }
  return root;
}

/** A valid body with one to three mutations: a random key dropped or a random leaf replaced by a random value. */
export function mutatedFrom(base: unknown): fc.Arbitrary<unknown> {
  return fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((mutations) => {
    let value: unknown = structuredClone(base);
    for (const m of mutations) value = applyMutation(value, m);
    return value;
  });
}
