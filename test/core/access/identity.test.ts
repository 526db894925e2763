import { claimValues, identityFromClaims, requireRole, type PersonIdentity } from '../../../lambdas/core/access/identity';
import { roleIncludes } from '../../../lambdas/core/access/roles';
import { DEFAULT_ROLE_MAPPING } from '../../../lambdas/core/config/access.schema';
import { ForbiddenError } from '../../../lambdas/core/errors';

const people: PersonIdentity[] = [
  { name: 'alice', role: 'admin' },
  { name: 'bob', identity: { email: 'Bob@Example.com' } },
  { name: 'carol', role: 'viewer', identity: { subject: 'okta|00u1' } },
];
const access = { groupsClaim: 'groups', roles: DEFAULT_ROLE_MAPPING, machineClients: [{ name: 'ci', role: 'responder' as const, clientId: '0oa-ci' }] };

describe('claims -> {actor, role, via}', () => {
  it.each([
    ['a Cognito user named like a person: the person, the configured role', { 'cognito:username': 'alice', 'cognito:groups': ['viewer'] }, { actor: 'alice', role: 'admin', via: 'jwt' }],
    ['a person without a role: the highest group', { username: 'bob', 'cognito:groups': ['viewer', 'responder'] }, { actor: 'bob', role: 'responder', via: 'jwt' }],
    ['a person without a role or group: viewer', { 'cognito:username': 'bob' }, { actor: 'bob', role: 'viewer', via: 'jwt' }],
    ['matched by email, case-insensitively', { sub: 'x', email: 'bob@example.COM', groups: ['admin'] }, { actor: 'bob', role: 'admin', via: 'jwt' }],
    ['an unverified email matches nobody', { sub: 'x', email: 'bob@example.com', email_verified: 'false' }, { actor: 'bob@example.com', role: null, via: 'jwt' }],
    ['matched by subject; the configured role wins over a group', { sub: 'okta|00u1', email: 'c@example.com', groups: ['admin'] }, { actor: 'carol', role: 'viewer', via: 'jwt' }],
    ['API Gateway\'s flattened array claim "[a b]"', { 'cognito:username': 'dave', 'cognito:groups': '[viewer responder]' }, { actor: 'dave', role: 'responder', via: 'jwt' }],
    ['an unknown user without groups: no role', { sub: 'u-1', email: 'eve@example.com' }, { actor: 'eve@example.com', role: null, via: 'jwt' }],
    ['an unknown user in the admin group', { sub: 'u-2', email: 'frank@example.com', groups: 'admin' }, { actor: 'frank@example.com', role: 'admin', via: 'jwt' }],
    ['Cognito client credentials: sub = client_id, the scope gives the role', { sub: 'abc', client_id: 'abc', scope: 'alert-pipeline/read alert-pipeline/respond' }, { actor: 'client:abc', role: 'responder', via: 'machine' }],
    ['a configured OIDC machine client: its name and role', { sub: '0oa-ci', cid: '0oa-ci', scp: ['alert-pipeline/read'] }, { actor: 'ci', role: 'responder', via: 'machine' }],
    ['Entra ID app token (idtyp app)', { sub: 'obj-1', azp: 'app-9', idtyp: 'app', roles: ['x'] }, { actor: 'client:app-9', role: null, via: 'machine' }],
    ['a human token of the console client is not a machine', { sub: 's-1', client_id: 'console', username: 'alice' }, { actor: 'alice', role: 'admin', via: 'jwt' }],
    ['a scope that is not mapped gives nothing', { sub: 's-2', client_id: 's-2', scope: 'openid email' }, { actor: 'client:s-2', role: null, via: 'machine' }],
  ])('%s', (_what, claims, expected) => {
    expect(identityFromClaims(claims, access, people)).toEqual(expected);
  });

  it('reads the configured groups claim and role mapping', () => {
    const custom = { groupsClaim: 'roles', roles: { viewer: ['Readers'], responder: ['OnCall'], admin: ['PlatformAdmins'] }, machineClients: [] };
    expect(identityFromClaims({ sub: 'e-1', email: 'zed@example.com', roles: ['OnCall'] }, custom, []).role).toBe('responder');
    // The default names mean nothing under a custom mapping.
    expect(identityFromClaims({ sub: 'e-1', email: 'zed@example.com', groups: ['admin'] }, custom, []).role).toBeNull();
  });

  it('without an access section: the default mapping (local users)', () => {
    expect(identityFromClaims({ 'cognito:username': 'alice' }, undefined, people)).toEqual({ actor: 'alice', role: 'admin', via: 'jwt' });
  });

  it.each([
    ['[admin viewer]', ['admin', 'viewer']],
    ['a b,c', ['a', 'b', 'c']],
    [['x', 3, ''], ['x']],
    [undefined, []],
  ])('claimValues(%j)', (value, expected) => expect(claimValues(value)).toEqual(expected));
});

describe('roles', () => {
  it.each([
    ['admin', 'responder', true], ['responder', 'responder', true], ['viewer', 'responder', false], [null, 'viewer', false], ['responder', 'admin', false],
  ] as const)('%s includes %s: %s', (have, need, ok) => expect(roleIncludes(have, need)).toBe(ok));

  it('403 names the role needed', () => {
    const call = () => requireRole({ actor: 'bob', role: 'viewer', via: 'jwt' }, 'responder');
    expect(call).toThrow(ForbiddenError);
    expect(call).toThrow('requires role responder');
  });
});
