/**
 * The status page in AWS: with a `statusPage` section the pipeline stack has a dedicated bucket, a CloudFront
 * distribution with origin access control, the status-render function (schedule every 5 minutes, invoked by the
 * functions that change incidents) and the page's URL as an output; without it, none of them. cdk-nag clean.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/app';
import { FUNCTIONS } from '../../lambdas/handlers/functions';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { buildApp, cleanUpOutdirs, configWith, logicalIdOf, statementsOfRole, testAppProps } from './helpers';

const withStatusPage = () =>
  configWith((c) => ({
    ...c,
    statusPage: {
      title: 'Example Corp status',
      components: [{ service: 'platform', displayName: 'Platform' }, { service: 'security', displayName: 'Security' }],
      pages: [{ name: 'public', visibility: 'public', components: ['platform', 'security'] }],
    },
  }));

describe('status page hosting in AWS', () => {
  afterAll(cleanUpOutdirs);

  it('has the bucket (private, encrypted, TLS only, access logs), the distribution with OAC, the renderer and the URL output', () => {
    const built = buildApp(withStatusPage());
    const t = built.pipelineTemplate;
    const site = built.pipelineStack.statusSite!;
    expect(site).not.toBeNull();
    const bucketId = logicalIdOf(site.bucket.node.defaultChild);
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'status-site/' }),
    });
    // No website hosting: CloudFront reads the private bucket through origin access control.
    expect(t.toJSON().Resources[bucketId].Properties.WebsiteConfiguration).toBeUndefined();
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2); // the status page's and the web console's
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'status/index.html',
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          // The managed SecurityHeadersPolicy.
          ResponseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03',
        }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
      }),
    });
    // The bucket policy lets only this distribution read (and TLS is enforced).
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
    t.hasOutput('StatusPageUrl', Match.anyValue());

    // The renderer: its environment, a schedule every 5 minutes, S3 put on the bucket only.
    const render = built.pipelineStack.functions.statusRender!;
    expect(render).toBeDefined();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTIONS.statusRender.description,
      Environment: { Variables: Match.objectLike({ [ENV.statusSiteBucket]: { Ref: bucketId }, [ENV.statusPageUrl]: Match.anyValue() }) },
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(render.function.node.defaultChild), 'Arn'] } })],
    });
    const puts = statementsOfRole(t, logicalIdOf(render.role.node.defaultChild)).filter((s) => s.actions.includes('s3:PutObject'));
    expect(puts).toEqual([{ actions: ['s3:PutObject'], resources: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }] }]);

    // The functions that change incidents invoke it asynchronously (StatusNotifier), with its name in their environment.
    for (const name of ['processAlerts', 'api', 'apiAdmin', 'act', 'sweeper'] as const) {
      const f = built.pipelineStack.functions[name]!;
      const invokes = statementsOfRole(t, logicalIdOf(f.role.node.defaultChild)).filter((s) => s.actions.includes('lambda:InvokeFunction'));
      expect(JSON.stringify(invokes)).toContain(logicalIdOf(render.function.node.defaultChild));
    }
  });

  it('without statusPage: no bucket for it, no distribution, no renderer, no output; the notifiers get an empty name', () => {
    const built = buildApp(configWith(({ statusPage: _none, ...c }) => c));
    const t = built.pipelineTemplate;
    expect(built.pipelineStack.statusSite).toBeNull();
    expect(built.pipelineStack.functions.statusRender).toBeUndefined();
    // Only the web console's distribution and its two buckets (site, logs) remain.
    t.resourceCountIs('AWS::CloudFront::Distribution', 1);
    t.resourceCountIs('AWS::S3::Bucket', 2);
    expect(Object.keys(t.findResources('AWS::S3::Bucket')).every((id) => id.startsWith('ConsoleSite'))).toBe(true);
    expect(Object.keys(t.toJSON().Outputs)).not.toContain('StatusPageUrl');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTIONS.processAlerts.description,
      Environment: { Variables: Match.objectLike({ [ENV.statusRenderFunctionName]: '' }) },
    });
  });

  it('is cdk-nag clean (AwsSolutions) with a status page', () => {
    const { app } = createApp(withStatusPage(), { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
    expect(Template).toBeDefined();
  });
});
