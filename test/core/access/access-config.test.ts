import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { ConfigError } from '../../../lambdas/core/errors';

const base = {
  version: 1,
  people: [{ name: 'alice' }],
  teams: [{ name: 't', members: ['alice'] }],
  services: [{ name: 's', team: 't' }],
  routing: { default: { service: 's' } },
};
const problemOf = (over: Record<string, unknown>): string => {
  try {
    parsePipelineConfig({ ...base, ...over });
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
};

describe('the access section and people\'s role and identity', () => {
  it('defaults: MFA required, no threat protection, the role mapping of groups and scopes', () => {
    const { access } = parsePipelineConfig({ ...base, access: { provider: 'cognito', cognito: { domainPrefix: 'acme-alerts' } } });
    expect(access).toMatchObject({
      cognito: { mfa: 'required', threatProtection: false, callbackUrls: [] }, groupsClaim: 'groups', machineClients: [],
      roles: { viewer: ['viewer', 'alert-pipeline/read'], responder: ['responder', 'alert-pipeline/respond'], admin: ['admin', 'alert-pipeline/admin'] },
    });
  });

  it.each([
    ['cognito without its section', { access: { provider: 'cognito' } }, 'access.cognito'],
    ['oidc without its section', { access: { provider: 'oidc' } }, 'access.oidc'],
    ['an http issuer', { access: { provider: 'oidc', oidc: { issuer: 'http://idp.example.com', audiences: ['a'] } } }, 'access.oidc.issuer'],
    ['no audience', { access: { provider: 'oidc', oidc: { issuer: 'https://idp.example.com', audiences: [] } } }, 'access.oidc.audiences'],
    ['a domain prefix Cognito refuses', { access: { provider: 'cognito', cognito: { domainPrefix: 'my-cognito-login' } } }, 'access.cognito.domainPrefix'],
    ['an OIDC machine client without its client id', { access: { provider: 'oidc', oidc: { issuer: 'https://idp.example.com', audiences: ['a'] }, machineClients: [{ name: 'ci', role: 'admin' }] } }, 'access.machineClients[0].clientId'],
    ['a Cognito machine client with a client id', { access: { provider: 'cognito', cognito: { domainPrefix: 'acme' }, machineClients: [{ name: 'ci', role: 'admin', clientId: 'x' }] } }, 'access.machineClients[0].clientId'],
    ['an unknown role', { people: [{ name: 'alice', role: 'owner' }] }, 'people[0].role'],
    ['a bad identity email', { people: [{ name: 'alice', identity: { email: 'not-an-email' } }] }, 'people[0].identity.email'],
  ])('refuses %s, naming the field', (_what, over, path) => {
    expect(problemOf(over)).toContain(path);
  });

  it('accepts people with a role and an identity', () => {
    expect(problemOf({ people: [{ name: 'alice', role: 'responder', identity: { email: 'a@example.com', subject: '00u1' } }] })).toBe('accepted');
  });
});
