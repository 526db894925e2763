import { createRotateIntegrationTokenHandler } from '../../lambdas/handlers/rotate-integration-token';
import { LocalSecretVersions } from '../../lambdas/adapters/secrets/secret-versions';
import { StaticIntegrationSecrets } from '../../lambdas/adapters/secrets/integration-secrets';
import { ingestAuthenticator } from '../../lambdas/core/integrations/authenticate';
import { integrationsOf } from '../../lambdas/core/integrations/config';
import { NotFoundError } from '../../lambdas/core/errors';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  routing: { default: { service: 'platform' } },
  integrations: [
    { name: 'am-eu', source: 'alertmanager', rotationGraceHours: 2 },
    { name: 'am-old', source: 'alertmanager', revoked: true },
  ],
});
const HOUR = 3_600_000;

function setup() {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const secrets: Record<string, unknown> = { 'am-eu': { current: 'first' }, 'am-old': { current: 'old' } };
  let saved = 0;
  const versions = new LocalSecretVersions(secrets, () => void saved++);
  let n = 0;
  const handler = createRotateIntegrationTokenHandler({
    config, versions, secretNames: { 'am-eu': 'am-eu', 'am-old': 'am-old' }, clock: { now: () => new Date(now) }, newToken: () => `token-${++n}`,
  });
  const step = (Step: string, SecretId = 'am-eu', ClientRequestToken = 'v2') => handler({ Step, SecretId, ClientRequestToken }, {} as never);
  const rotate = async (version: string) => {
    versions.begin('am-eu', version);
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(s, 'am-eu', version);
  };
  const auth = ingestAuthenticator(integrationsOf(config.integrations), new StaticIntegrationSecrets(() => secrets));
  const opens = (token: string) =>
    auth.authenticate({ source: 'alertmanager', token, sourceIp: '192.0.2.1', nowMs: now }).then((i) => i.name, (e: unknown) => (e instanceof NotFoundError ? 404 : e));
  return { secrets, versions, step, rotate, opens, saved: () => saved, advance: (ms: number) => (now += ms) };
}

describe('rotate-integration-token (Secrets Manager rotation steps)', () => {
  it('makes a new token current; the previous one works for the grace period, then gets 404', async () => {
    const t = setup();
    await t.rotate('v2');
    expect(t.secrets['am-eu']).toEqual({ current: 'token-1', previous: 'first', previousValidUntil: '2026-12-01T12:00:00.000Z' });
    expect(t.saved()).toBe(1);
    expect(await t.opens('token-1')).toBe('am-eu');
    expect(await t.opens('first')).toBe('am-eu');
    t.advance(2 * HOUR);
    expect(await t.opens('first')).toBe(404);
    expect(await t.opens('token-1')).toBe('am-eu');
  });

  it('a second rotation drops the token before the previous one at once', async () => {
    const t = setup();
    await t.rotate('v2');
    t.advance(HOUR);
    await t.rotate('v3');
    expect(await t.opens('first')).toBe(404);
    expect(await t.opens('token-1')).toBe('am-eu');
    expect(await t.opens('token-2')).toBe('am-eu');
  });

  it('runs each step twice with one result (Secrets Manager retries)', async () => {
    const t = setup();
    t.versions.begin('am-eu', 'v2');
    await t.step('createSecret');
    await t.step('createSecret');
    await t.step('testSecret');
    await t.step('finishSecret');
    await t.step('finishSecret');
    expect(t.secrets['am-eu']).toMatchObject({ current: 'token-1', previous: 'first' });
  });

  it('refuses a revoked integration\'s secret, a version that is not pending, and a malformed event', async () => {
    const t = setup();
    t.versions.begin('am-old', 'v2');
    await expect(t.step('createSecret', 'am-old')).rejects.toThrow(/not the token of a live integration/);
    await expect(t.step('createSecret', 'am-eu', 'never-opened')).rejects.toThrow(/does not exist/);
    await expect(t.step('explode')).rejects.toThrow(/Step/);
    expect(t.secrets['am-old']).toEqual({ current: 'old' });
  });
});
