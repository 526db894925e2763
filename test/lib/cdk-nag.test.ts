import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createApp } from '../../lib/app';
import { cleanUpOutdirs, configWith, defaultConfig, testAppProps } from './helpers';

/** Every acknowledgement in the tree: rule id, reason and where it was made. */
function acknowledgementsOf(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  );
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
    expect([...rules].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-IAM5', 'AwsSolutions-S1', 'AwsSolutions-SMG4']);
    for (const ack of acks.filter((a) => a.id.includes('IAM5'))) expect(ack.id).toMatch(/IAM5\[Resource::.+\]$/);
  });
});
