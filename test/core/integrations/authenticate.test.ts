import { ingestAuthenticator } from '../../../lambdas/core/integrations/authenticate';
import { integrationConfigProblems, integrationsOf, IntegrationsSchema } from '../../../lambdas/core/integrations/config';
import { AuthenticationError, NotFoundError, TransientError } from '../../../lambdas/core/errors';
import * as z from 'zod/mini';
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import type { SourceName } from '../../../lambdas/core/normalize/registry';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const config = z.parse(IntegrationsSchema, [
  { name: 'ts-prod', source: 'threatstack', allowedIps: ['203.0.113.0/24'] },
  { name: 'am-eu', source: 'alertmanager' },
  { name: 'am-old', source: 'alertmanager', revoked: true },
  { name: 'pd', source: 'events-v2' },
  { name: 'guardduty-org', source: 'guardduty' },
]);
const SECRETS: Record<string, unknown> = {
  default: { token: 'legacy-token' },
  'ts-prod': { current: 'ts-token' },
  'am-eu': { current: 'am-new', previous: 'am-previous', previousValidUntil: '2026-12-01T13:00:00Z' },
  'am-old': { current: 'am-old-token' },
  pd: { current: 'pd-key' },
  'guardduty-org': { current: 'gd-token' },
};

function authenticator(secrets = SECRETS, defaultEntry: object[] = []) {
  const reads: string[] = [];
  const list = z.parse(IntegrationsSchema, [...defaultEntry, ...config]);
  const auth = ingestAuthenticator(integrationsOf(list), {
    secret: async (name, options) => (reads.push(`${name}${options?.fresh ? ' (fresh)' : ''}`), secrets[name] ?? null),
  });
  return { auth, reads };
}

const request = (source: SourceName | null, token: string, over: { sourceIp?: string; nowMs?: number } = {}) =>
  ({ source, token, sourceIp: over.sourceIp ?? '203.0.113.9', nowMs: over.nowMs ?? NOW });

describe('which integration an ingest token opens', () => {
  it.each<[string, SourceName | null, string, string | null]>([
    ['its own source', 'alertmanager', 'am-new', 'am-eu'],
    ['the previous token within the grace period', 'alertmanager', 'am-previous', 'am-eu'],
    ['the legacy token on any source (the implicit default integration)', 'cloudwatch', 'legacy-token', 'default'],
    ['an EventBridge-only source', 'guardduty', 'gd-token', 'guardduty-org'],
    ['any source when the route serves several (the body decides later)', null, 'ts-token', 'ts-prod'],
    ['another source\'s token: 404', 'alertmanager', 'ts-token', null],
    ['the Events v2 key on Alertmanager: 404', 'alertmanager', 'pd-key', null],
    ['a revoked integration: 404', 'alertmanager', 'am-old-token', null],
    ['an unknown token: 404', 'threatstack', 'nope', null],
  ])('%s', async (_case, source, token, expected) => {
    const { auth } = authenticator();
    if (expected === null) await expect(auth.authenticate(request(source, token))).rejects.toBeInstanceOf(NotFoundError);
    else expect((await auth.authenticate(request(source, token))).name).toBe(expected);
  });

  it('refuses the previous token after its grace period with 404, while the current one works', async () => {
    const { auth } = authenticator();
    const later = Date.parse('2026-12-01T13:00:00Z');
    await expect(auth.authenticate(request('alertmanager', 'am-previous', { nowMs: later }))).rejects.toBeInstanceOf(NotFoundError);
    expect((await auth.authenticate(request('alertmanager', 'am-new', { nowMs: later }))).name).toBe('am-eu');
  });

  it('answers 403 naming the integration for a sender outside its allowedIps, 404 first for a wrong token', async () => {
    const { auth } = authenticator();
    const err = await auth.authenticate(request('threatstack', 'ts-token', { sourceIp: '198.51.100.1' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: 'source_ip_not_allowed', message: expect.stringContaining('"ts-prod"') });
    await expect(auth.authenticate(request('threatstack', 'wrong', { sourceIp: '198.51.100.1' }))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('turns the legacy token off with `{ name: default, revoked: true }`, the others keep working', async () => {
    const { auth } = authenticator(SECRETS, [{ name: 'default', revoked: true }]);
    await expect(auth.authenticate(request('alertmanager', 'legacy-token'))).rejects.toBeInstanceOf(NotFoundError);
    expect((await auth.authenticate(request('alertmanager', 'am-new'))).name).toBe('am-eu');
  });

  it('reads only the secrets of the integrations that open the source, and re-reads them fresh after a miss', async () => {
    const { auth, reads } = authenticator();
    await auth.authenticate(request('alertmanager', 'am-new'));
    expect(reads).toEqual(['default', 'am-eu']);
    reads.length = 0;
    await expect(auth.authenticate(request('alertmanager', 'rotated-a-moment-ago'))).rejects.toBeInstanceOf(NotFoundError);
    expect(reads).toEqual(['default', 'am-eu', 'default (fresh)', 'am-eu (fresh)']);
  });

  it('answers 503, not 404, when a secret cannot be read and no other token matches; a readable match still works', async () => {
    const failing = ingestAuthenticator(integrationsOf(config), {
      secret: async (name) => {
        if (name === 'am-eu') throw new Error('throttled');
        return SECRETS[name] ?? null;
      },
    });
    await expect(failing.authenticate(request('alertmanager', 'am-new'))).rejects.toBeInstanceOf(TransientError);
    expect((await failing.authenticate(request('alertmanager', 'legacy-token'))).name).toBe('default');
  });
});

describe('the integrations section', () => {
  it('is checked by the config schema, naming the path', () => {
    const base = { version: 1, teams: [{ name: 't' }], services: [{ name: 's', team: 't' }], routing: { default: { service: 's' } } };
    expect(() => parsePipelineConfig({ ...base, integrations: [{ name: 'x', source: 'nagios' }] })).toThrow(/integrations\[0\]\.source.*unknown source "nagios"/s);
    expect(parsePipelineConfig(base).integrations).toEqual([]);
  });

  it.each<[string, unknown[], string | null]>([
    ['a valid list', [{ name: 'ts', source: 'threatstack' }, { name: 'default', revoked: true }], null],
    ['an unknown source', [{ name: 'x', source: 'nagios' }], 'integrations.0.source: unknown source "nagios"'],
    ['a missing source', [{ name: 'x' }], 'integrations.0.source: required'],
    ['a source on default', [{ name: 'default', source: 'threatstack' }], 'integrations.0.source: "default" is the single ingest token'],
    ['a duplicate name', [{ name: 'x', source: 'threatstack' }, { name: 'x', source: 'cloudwatch' }], 'integrations.1.name: duplicate integration "x"'],
  ])('%s', (_case, list, problem) => {
    const problems = integrationConfigProblems(z.parse(IntegrationsSchema, list)).map((p) => `${p.path.join('.')}: ${p.message}`);
    if (problem === null) expect(problems).toEqual([]);
    else expect(problems.join('\n')).toContain(problem);
  });

  it.each([
    [{ name: 'x', source: 'threatstack', allowedIps: ['10.0.0.0/33'] }, 'allowedIps'],
    [{ name: 'Upper', source: 'threatstack' }, 'name'],
    [{ name: 'x', source: 'threatstack', token: 'inline' }, 'token'],
  ])('rejects %j at %s', (entry, field) => {
    const r = z.safeParse(IntegrationsSchema, [entry]);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(field);
  });
});
