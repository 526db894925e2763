import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/handlers/shared/env-names';
import { AlertQueue } from '../../lib/constructs/alert-queue';
import { existsSync } from 'node:fs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLE_ALIASES, bundlingOptions, ESBUILD_TARGET, NODE_RUNTIME } from '../../lib/constructs/defaults';
import { PipelineFunction } from '../../lib/constructs/pipeline-function';
import { cleanUpOutdirs, configWith, defaultConfig, testAppProps } from './helpers';

describe('bundlingOptions', () => {
  it('inlines the validated config as process.env.PIPELINE_CONFIG_JSON (a JS string literal of its JSON)', () => {
    const config = defaultConfig();
    const define = bundlingOptions(config).define!;
    const literal = define[`process.env.${ENV.pipelineConfigJson}`]!;
    expect(JSON.parse(JSON.parse(literal))).toEqual(config);
  });

  it('bundles ESM with the SDK, a createRequire banner and a target matching the runtime', () => {
    const options = bundlingOptions(defaultConfig());
    expect(options).toMatchObject({ format: 'esm', mainFields: ['module', 'main'], bundleAwsSDK: true, minify: true });
    expect(options.banner).toContain('createRequire');
    expect(NODE_RUNTIME.name).toBe(`nodejs${ESBUILD_TARGET.replace('node', '')}.x`);
  });

  it('aliases the SDK credential chain to the environment link, a file that exists', () => {
    const args = bundlingOptions(defaultConfig()).esbuildArgs!;
    const target = BUNDLE_ALIASES['@aws-sdk/credential-provider-node']!;
    expect(args['--alias:@aws-sdk/credential-provider-node']).toBe(target);
    expect(existsSync(target)).toBe(true);
  });

  it('leaves CEL out of a function whose only CEL is the webhook mapping, built for a config without webhooks (a stub that exists)', () => {
    const webhook = { name: 'uptime', mapping: { title: 'payload.name', fingerprint: 'payload.id' } };
    const noWebhooks = configWith((c) => ({ ...c, sources: { ...c.sources, webhooks: [] } }));
    const withWebhooks = configWith((c) => ({ ...c, sources: { ...c.sources, webhooks: [webhook] } }));
    const celAlias = (args: BundlingOptions['esbuildArgs']) => args?.['--alias:@marcbachmann/cel-js'];
    const stub = celAlias(bundlingOptions(noWebhooks, { celOnlyForWebhooks: true }).esbuildArgs);
    expect(stub).toMatch(/lambdas\/handlers\/shared\/no-cel\.ts$/);
    expect(existsSync(String(stub))).toBe(true);
    expect(celAlias(bundlingOptions(withWebhooks, { celOnlyForWebhooks: true }).esbuildArgs)).toBeUndefined();
    expect(celAlias(bundlingOptions(noWebhooks).esbuildArgs)).toBeUndefined();
  });

  it('inlines insights.history.enabled as the build-time switch that keeps the history writer (and its S3 client) in or out', () => {
    const withHistory = configWith((c) => ({ ...c, insights: { ...c.insights, history: { ...c.insights?.history, enabled: true } } }));
    const withoutHistory = configWith((c) => ({ ...c, insights: { ...c.insights, history: { ...c.insights?.history, enabled: false } } }));
    expect(bundlingOptions(withHistory).define!['process.env.PIPELINE_HISTORY_ENABLED']).toBe('"true"');
    expect(bundlingOptions(withoutHistory).define!['process.env.PIPELINE_HISTORY_ENABLED']).toBe('"false"');
  });
});

describe('AlertQueue', () => {
  afterAll(cleanUpOutdirs);

  function setUp(processorTimeout: Duration) {
    const stack = new Stack(new App(testAppProps()), 'Test');
    const queue = new AlertQueue(stack, 'Queue', { maxReceiveCount: 4, consumerTimeout: Duration.seconds(30) });
    const fn = new PipelineFunction(stack, 'Fn', { entry: 'lambdas/handlers/process-alerts.ts', pipelineConfig: defaultConfig(), timeout: processorTimeout });
    return { stack, queue, fn };
  }

  it('sets the visibility timeout to 6 x the consumer timeout', () => {
    const { stack, queue, fn } = setUp(Duration.seconds(30));
    queue.addConsumer(fn, { batchSize: 10 });
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: { maxReceiveCount: 4, deadLetterTargetArn: Match.anyValue() } });
  });

  it('refuses a consumer whose timeout breaks the visibility rule', () => {
    const { queue, fn } = setUp(Duration.seconds(31));
    expect(() => queue.addConsumer(fn, { batchSize: 10 })).toThrow(/timeout 31 s exceeds the AlertQueue consumerTimeout 30 s/);
  });

  it('refuses a batch size above 10 without a batching window', () => {
    const { queue, fn } = setUp(Duration.seconds(30));
    expect(() => queue.addConsumer(fn, { batchSize: 11 })).toThrow(/needs a batching window of at least 1 s/);
  });

  it('has no alarm actions without a topic', () => {
    const { stack } = setUp(Duration.seconds(30));
    for (const alarm of Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });
});
