import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createApp } from '../../lib/app';
import { cleanUpOutdirs, configWith, defaultConfig, testAppProps } from './helpers';
import { CHANNEL_LIST } from '../../lambdas/core/notify/channels';

/** Every acknowledgement in the tree: rule id, reason and where it was made. */
function acknowledgementsOf(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  );
}

/** The default config plus every contact type (email, SMS), every channel type, the EventBridge rule and allowed topics. */
function everythingConfig() {
  return configWith((c) => ({
    ...c,
    sources: {
      ...c.sources,
      cloudwatch: { ...c.sources?.cloudwatch, eventBridgeRule: true, allowedTopicArns: ['arn:aws:sns:eu-west-1:111122223333:alarms'] },
    },
    people: (c.people ?? []).map((p) =>
      p.name === 'alice' ? { ...p, contacts: [{ type: 'email' as const, address: 'alice@example.com' }, { type: 'sms' as const, number: '+4915112345678' }] }
        : p.name === 'carol' ? { ...p, contacts: [{ type: 'email' as const, address: 'carol@example.com' }] } : p),
    operations: { subscribers: [{ type: 'email' as const, address: 'ops@example.com' }, { type: 'https' as const, url: 'https://ops.example.com/sns' }] },
    // One channel of every type the channel registry knows (a new type is covered without editing this test).
    channels: [
      ...(c.channels ?? []),
      ...(CHANNEL_LIST.map((d) => ({ name: `every-${d.type}`, type: d.type, ...(d.secret === null ? {} : { secret: `every-${d.type}` }) })) as NonNullable<typeof c.channels>),
    ],
  }));
}

describe('cdk-nag AwsSolutions', () => {
  afterAll(cleanUpOutdirs);

  it('passes on the full app with the default config', () => {
    const { app } = createApp(defaultConfig(), { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
  });

  it('passes with the EventBridge rule and extra allowed topics enabled', () => {
    const config = configWith((c) => ({
      ...c,
      sources: {
        ...c.sources,
        cloudwatch: { ...c.sources?.cloudwatch, eventBridgeRule: true, allowedTopicArns: ['arn:aws:sns:eu-west-1:111122223333:alarms'] },
      },
    }));
    const { app } = createApp(config, { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
  });

  it('passes with every contact type, every channel type, the EventBridge rule and allowed topics', () => {
    const { app, pipelineStack } = createApp(everythingConfig(), { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
    // The email topics are encrypted with a key the stack owns (rotated), and the Page step may use exactly it.
    const template = Template.fromStack(pipelineStack);
    const emailPeople = everythingConfig().people.filter((p) => p.contacts.some((c) => c.type === 'email')).length;
    expect(emailPeople).toBeGreaterThanOrEqual(2);
    template.resourceCountIs('AWS::SNS::Topic', 2 + emailPeople); // the alarm topic, the ops topic and one per person with email
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const kmsStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((st) => ([] as string[]).concat(st.Action).some((a) => a.startsWith('kms:')));
    for (const st of kmsStatements) {
      expect(([] as string[]).concat(st.Action).every((a) => !a.includes('*'))).toBe(true);
      expect(JSON.stringify(st.Resource)).not.toContain('*');
    }
  });

  it('passes with everything on in stage prod: every contact and channel, EventBridge, an owner and a custom API domain', () => {
    const config = configWith((c) => ({
      ...everythingConfig(),
      deployment: {
        owner: 'platform-team',
        domain: {
          name: 'alerts.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-1111-2222-3333-444455556666',
          hostedZoneId: 'Z0123456789ABCDEFGHIJ',
          hostedZoneName: 'example.com',
        },
      },
      version: c.version,
    }) as never);
    const { app, pipelineStack } = createApp(config, { appProps: testAppProps(), stage: 'prod' });
    expect(() => app.synth()).not.toThrow();
    expect(pipelineStack.stackName).toBe('prod-AlertPipelineStack');
    // No function role acknowledges a bare Resource "*": only the X-Ray policy of each function does.
    const starAcks = acknowledgementsOf(app).filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]' && a.path.includes('/Role'));
    expect(starAcks.filter((a) => !a.path.includes('StateMachine'))).toEqual([]);
  });

  it('fails synthesis on an unacknowledged violation (so the test above can fail)', () => {
    const app = new App(testAppProps());
    const stack = new Stack(app, 'Tiny');
    new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('gives every acknowledgement a specific reason', () => {
    const { app } = createApp(
      configWith((c) => ({ ...c, sources: { ...c.sources, cloudwatch: { ...c.sources?.cloudwatch, eventBridgeRule: true } } })),
      { appProps: testAppProps() },
    );
    const acks = acknowledgementsOf(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    // Only the rules we mean to accept: nothing blanket like a whole IAM5 without a finding.
    const rules = new Set(acks.map((a) => a.id.replace(/^Annotation::/i, '').replace(/\[.*$/, '')));
    // CFR1, CFR2, CFR4: the status page's and the console's distributions (lib/constructs/status-site.ts,
    // console-site.ts). L1: CDK's BucketDeployment function (Python), which copies the console build at deploy.
    // COG8: the user pool without the Plus plan's threat protection (lib/constructs/identity.ts; config access.cognito).
    // SQS3: the failed inline-page queue (lib/constructs/operations.ts) is itself the last stop of a failed invoke.
    expect([...rules].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4', 'AwsSolutions-COG8', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3']);
    expect(acks.filter((a) => a.id.includes('L1')).map((a) => a.path)).toEqual([expect.stringMatching(/\/Custom::CDKBucketDeployment/)]);
    // IAM5 only on resources, except the actions BucketDeployment grants its role (s3:GetObject* ...): that role only.
    for (const ack of acks.filter((a) => a.id.includes('IAM5'))) {
      if (ack.path.endsWith('/ConsoleSite/DeployRole')) expect(ack.id).toMatch(/IAM5\[(Resource|Action)::.+\]$/);
      else expect(ack.id).toMatch(/IAM5\[Resource::.+\]$/);
    }
  });
});
