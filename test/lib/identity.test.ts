import { Template, Match } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/app';
import { buildApp, cleanUpOutdirs, configWith, testAppProps } from './helpers';
import { HTTP_ROUTES } from '../../lambdas/handlers/routes';

const cognitoConfig = () => configWith((c) => ({
  ...c,
  access: {
    provider: 'cognito' as const,
    cognito: { domainPrefix: 'acme-alerts', callbackUrls: ['https://console.example.com/callback'] },
    machineClients: [{ name: 'ci', role: 'responder' as const }, { name: 'reporting', role: 'viewer' as const }],
  },
}));
const oidcConfig = () => configWith((c) => ({
  ...c,
  access: {
    provider: 'oidc' as const,
    oidc: { issuer: 'https://acme.okta.com/oauth2/default', audiences: ['api://alert-pipeline', '0oa-console'], consoleClientId: '0oa-console' },
    groupsClaim: 'groups',
    machineClients: [{ name: 'ci', role: 'responder' as const, clientId: '0oa-ci' }],
  },
}));
const bearerRoutes = HTTP_ROUTES.filter((r) => r.auth === 'bearer').length;

describe('identity in AWS (lib/constructs/identity.ts)', () => {
  afterAll(cleanUpOutdirs);

  it('cognito: a user pool without self sign-up, MFA, the three role groups, the console client (code + PKCE, no secret)', () => {
    const t = buildApp(cognitoConfig()).pipelineTemplate;
    t.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, MfaConfiguration: 'ON', DeletionProtection: 'ACTIVE',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      }),
    });
    for (const g of ['viewer', 'responder', 'admin']) t.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: g });
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-alerts-dev' }); // <prefix>-<stage>
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false, AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'], CallbackURLs: Match.arrayWith(['https://console.example.com/callback']),
    });
  });

  it('cognito: the hosted console signs in with the console client and is one of its callback URLs', () => {
    const built = buildApp(cognitoConfig());
    const t = built.pipelineTemplate;
    const consoleClient = Object.values(t.findResources('AWS::Cognito::UserPoolClient', { Properties: { GenerateSecret: false } }))[0]!;
    const callbacks = JSON.stringify(consoleClient.Properties.CallbackURLs);
    expect(callbacks).toContain('https://console.example.com/callback');
    expect(callbacks).toMatch(/ConsoleSite.*DomainName/);
    expect(built.pipelineStack.consoleSite.config.auth.kind).toBe('oidc');
    // The CSP lets the console reach the issuer and the hosted domain's token endpoint.
    const policy = JSON.stringify(Object.values(t.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]);
    expect(policy).toMatch(/connect-src 'self' https:\/\/cognito-idp\./);
    expect(policy).toContain('IdentityUserPoolDomain');
  });

  it('cognito: a JWT authorizer on every bearer route, issuer = the pool, audiences = its clients; no Lambda authorizer', () => {
    const t = buildApp(cognitoConfig()).pipelineTemplate;
    t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: Match.objectLike({ 'Fn::Join': Match.anyValue() }), Audience: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('ConsoleClient') })]) },
    });
    const jwtRoutes = Object.values(t.findResources('AWS::ApiGatewayV2::Route', { Properties: { AuthorizationType: 'JWT' } }));
    expect(jwtRoutes.length).toBe(bearerRoutes);
    expect(Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { Description: 'Bearer token authorizer of /api/*' } }))).toHaveLength(0);
  });

  it('cognito: machine clients (client credentials, scopes up to their role), secrets in Secrets Manager named by outputs', () => {
    const t = buildApp(cognitoConfig()).pipelineTemplate;
    t.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'alert-pipeline', Scopes: [{ ScopeName: 'read', ScopeDescription: Match.anyValue() }, { ScopeName: 'respond', ScopeDescription: Match.anyValue() }, { ScopeName: 'admin', ScopeDescription: Match.anyValue() }],
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'machine-ci', GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.anyValue() })]),
    });
    const ci = Object.values(t.findResources('AWS::Cognito::UserPoolClient', { Properties: { ClientName: 'machine-ci' } }))[0]!;
    expect(JSON.stringify(ci.Properties.AllowedOAuthScopes)).toMatch(/\/read".*\/respond"/);
    expect(JSON.stringify(ci.Properties.AllowedOAuthScopes)).not.toContain('/admin');
    const secrets = Object.values(t.findResources('AWS::SecretsManager::Secret')).filter((s) => String(s.Properties.Description).includes('machine client'));
    expect(secrets).toHaveLength(2);
    const outputs = Object.keys(t.findOutputs('*'));
    expect(outputs).toEqual(expect.arrayContaining([expect.stringMatching(/MachineSecretci/), expect.stringMatching(/MachineSecretreporting/), expect.stringMatching(/UserPoolId/), expect.stringMatching(/ConsoleClientId/)]));
  });

  it('oidc: a JWT authorizer with the external issuer and audiences, no user pool', () => {
    const t = buildApp(oidcConfig()).pipelineTemplate;
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT', JwtConfiguration: { Issuer: 'https://acme.okta.com/oauth2/default', Audience: ['api://alert-pipeline', '0oa-console'] },
    });
    expect(Object.values(t.findResources('AWS::ApiGatewayV2::Route', { Properties: { AuthorizationType: 'JWT' } })).length).toBe(bearerRoutes);
  });

  it('without an access section: the Lambda authorizer over the API token, as before', () => {
    const t = buildApp(configWith((c) => { const { access: _a, ...rest } = c; return rest; })).pipelineTemplate;
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST' });
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it.each([['cognito', cognitoConfig], ['oidc', oidcConfig]])('cdk-nag is clean with %s', (_name, config) => {
    const { app } = createApp(config(), { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
  });

  it('the console sign-in settings are exposed (authority, client id, scope) and callback URLs can be added', () => {
    const { pipelineStack } = createApp(cognitoConfig(), { appProps: testAppProps(), nag: false });
    const identity = pipelineStack.identity!;
    identity.addCallbackUrl('https://d111.cloudfront.net/');
    expect(identity.console.scope).toBe('openid email profile');
    const t = Template.fromStack(pipelineStack);
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: Match.arrayWith(['https://console.example.com/callback', 'https://d111.cloudfront.net/']) });
  });
});
