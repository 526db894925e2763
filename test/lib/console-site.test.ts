/**
 * The web console in AWS: a private, encrypted, TLS-only bucket behind CloudFront with origin access control,
 * `/api/*` to the HTTP API on the same origin (the bearer token forwarded, nothing cached), a CSP allowing only
 * the console's own scripts, config.json written at deploy, the URL as an output; `cdk synth` builds the console
 * itself (local bundling, no Docker). cdk-nag runs in cdk-nag.test.ts over the whole app.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConsoleSite, consoleConfig, consoleContentSecurityPolicy } from '../../lib/constructs/console-site';
import { buildApp, cleanUpOutdirs, logicalIdOf, tempOutdir, withoutAccess } from './helpers';

describe('web console hosting in AWS', () => {
  afterAll(cleanUpOutdirs);

  it('has the private bucket, the distribution with OAC and /api/* to the HTTP API, the deployment and the URL output', () => {
    const built = buildApp(withoutAccess()); // token login: no identity section
    const t = built.pipelineTemplate;
    const site = built.pipelineStack.consoleSite;
    const bucketId = logicalIdOf(site.bucket.node.defaultChild);
    expect(t.toJSON().Resources[bucketId].Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { LogFilePrefix: 'console-site/' },
    });
    expect(t.toJSON().Resources[bucketId].Properties.WebsiteConfiguration).toBeUndefined();
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
    const distId = logicalIdOf(site.distribution.node.defaultChild);
    const dist = t.toJSON().Resources[distId].Properties.DistributionConfig;
    expect(dist.DefaultRootObject).toBe('index.html');
    expect(dist.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] });
    const s3Origin = dist.Origins.find((o: any) => o.Id === dist.DefaultCacheBehavior.TargetOriginId);
    expect(s3Origin).toMatchObject({ OriginAccessControlId: expect.anything(), S3OriginConfig: { OriginAccessIdentity: '' } });
    // /api/* goes to the HTTP API of this stack, HTTPS only, every method, the bearer token in the cache key (TTL 0).
    const [api] = dist.CacheBehaviors;
    expect(api).toMatchObject({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] });
    const apiOrigin = dist.Origins.find((o: any) => o.Id === api.TargetOriginId);
    const apiId = logicalIdOf(built.pipelineStack.webhookApi.api.node.defaultChild);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(apiId);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0, MinTTL: 0, MaxTTL: 1,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] } }),
      }),
    });
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({ ContentSecurityPolicy: { ContentSecurityPolicy: consoleContentSecurityPolicy(), Override: true } }),
      }),
    });
    // Two deployments: the hashed assets (cached a year, old ones pruned), then index.html and config.json
    // (revalidated on every load); no CloudFront invalidation, so no cloudfront:* on every distribution.
    t.hasResourceProperties('Custom::CDKBucketDeployment', { Prune: true, Exclude: ['index.html', 'config.json'], SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    t.hasResourceProperties('Custom::CDKBucketDeployment', { Prune: false, Exclude: ['*'], Include: ['index.html', 'config.json'], SystemMetadata: { 'cache-control': 'no-cache' } });
    expect(JSON.stringify(t.findResources('Custom::CDKBucketDeployment'))).not.toContain('DistributionId');
    expect(site.config).toEqual({ auth: { kind: 'token' } });
    t.hasOutput('ConsoleUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distId, 'DomainName'] }, '/']] } });
  });

  it('with OIDC settings: config.json says oidc, and the CSP lets the console reach the issuer', () => {
    const oidc = { authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', clientId: 'client-123' };
    expect(consoleConfig(oidc)).toEqual({ auth: { kind: 'oidc', authority: oidc.authority, clientId: 'client-123', scope: 'openid profile email' } });
    const csp = consoleContentSecurityPolicy(oidc.authority);
    expect(csp).toContain(`connect-src 'self' ${oidc.authority}`);
    expect(csp).toContain("script-src 'self';");
  });

  it('cdk synth builds the console itself (local bundling runs vite; no Docker, no second command)', () => {
    const app = new App({ outdir: tempOutdir() });
    const stack = new Stack(app, 'ConsoleOnly', { env: { account: '111122223333', region: 'eu-west-1' } });
    const api = new apigw.HttpApi(stack, 'Api');
    new ConsoleSite(stack, 'ConsoleSite', { api, oidc: { authority: 'https://issuer.example.com', clientId: 'abc' } });
    const assembly = app.synth();
    const assets = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    const built = assets.map((d) => join(assembly.directory, d)).find((d) => existsSync(join(d, 'index.html')));
    expect(built).toBeDefined();
    expect(readFileSync(join(built!, 'index.html'), 'utf8')).toContain('<div id="root"></div>');
    expect(readdirSync(join(built!, 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
    expect(existsSync(join(built!, '.inputs-hash'))).toBe(false);
    Template.fromStack(stack).resourceCountIs('Custom::CDKBucketDeployment', 2);
  }, 60_000);
});
