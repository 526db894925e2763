import { InvalidPayloadError } from '../../../lambdas/core/errors';
import { checkAdHocWindow } from '../../../lambdas/core/rules/ad-hoc-maintenance';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const SERVICES = ['api', 'db'];

function issueOf(fn: () => unknown): { path: string; message: string } | null {
  try {
    fn();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPayloadError);
    return (err as InvalidPayloadError).issues[0]!;
  }
}

describe('checkAdHocWindow', () => {
  it.each([
    ['starts now by default', { services: ['api'], end: '2026-03-01T13:00:00Z' }, { start: '2026-03-01T12:00:00.000Z', end: '2026-03-01T13:00:00.000Z' }],
    ['keeps a given start (normalized to UTC)', { services: ['db'], start: '2026-03-01T14:00:00+02:00', end: '2026-03-01T15:00:00Z' }, { start: '2026-03-01T12:00:00.000Z', end: '2026-03-01T15:00:00.000Z' }],
    ['a condition alone is enough', { services: [], when: 'alert.severity == "low"', end: '2026-03-02T12:00:00Z' }, { start: '2026-03-01T12:00:00.000Z', end: '2026-03-02T12:00:00.000Z' }],
    ['exactly 7 days', { services: ['api'], end: '2026-03-08T12:00:00Z' }, { start: '2026-03-01T12:00:00.000Z', end: '2026-03-08T12:00:00.000Z' }],
  ])('accepts: %s', (_name, request, expected) => {
    expect(checkAdHocWindow(request, NOW, SERVICES)).toEqual(expected);
  });

  it.each([
    ['end before start', { services: ['api'], start: '2026-03-01T14:00:00Z', end: '2026-03-01T13:00:00Z' }, 'end', 'must be after start'],
    ['end equal to start', { services: ['api'], start: '2026-03-01T14:00:00Z', end: '2026-03-01T14:00:00Z' }, 'end', 'must be after start'],
    ['end in the past', { services: ['api'], start: '2026-03-01T10:00:00Z', end: '2026-03-01T11:00:00Z' }, 'end', 'must be in the future'],
    ['end now', { services: ['api'], start: '2026-03-01T10:00:00Z', end: '2026-03-01T12:00:00Z' }, 'end', 'must be in the future'],
    ['longer than 7 days', { services: ['api'], end: '2026-03-08T12:00:01Z' }, 'end', 'an ad-hoc window lasts at most 7 days'],
    ['neither services nor a condition', { services: [], end: '2026-03-01T13:00:00Z' }, 'services', 'a window covers services, a condition (when) or both'],
    ['an unknown service', { services: ['api', 'nope'], end: '2026-03-01T13:00:00Z' }, 'services[1]', 'unknown service "nope"'],
  ])('refuses: %s', (_name, request, path, message) => {
    expect(issueOf(() => checkAdHocWindow(request, NOW, SERVICES))).toEqual({ path, message });
  });

  it('refuses an invalid condition, naming when', () => {
    const issue = issueOf(() => checkAdHocWindow({ services: [], when: 'alert.severity ==', end: '2026-03-01T13:00:00Z' }, NOW, SERVICES));
    expect(issue?.path).toBe('when');
    expect(issue?.message).toMatch(/^invalid expression: /);
  });
});
