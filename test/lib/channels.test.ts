/** The CDK app's channel wiring follows the channel registry: read access to exactly the configured channels' secrets. */
import { createApp } from '../../lib/app';
import type { PipelineConfigInput } from '../../lambdas/core/config/pipeline-config.schema';
import { buildApp, cleanUpOutdirs, configWith, logicalIdOf, statementsOfRole, testAppProps, type BuiltApp } from './helpers';

/** The resources of the escalation step's secretsmanager:GetSecretValue statements, joined to text. */
function channelSecretResources(built: BuiltApp): string[] {
  const roleId = logicalIdOf(built.pipelineStack.functions.escalationStep!.role.node.defaultChild);
  return statementsOfRole(built.pipelineTemplate, roleId)
    .filter((s) => s.actions.includes('secretsmanager:GetSecretValue'))
    .flatMap((s) => s.resources)
    .map((r) => JSON.stringify(r))
    .filter((r) => r.includes('alert-pipeline/dev/channels/'));
}

/** The default config (whose channel is platform-slack) plus these channels. */
const withChannels = (channels: NonNullable<PipelineConfigInput['channels']>) => configWith((c) => ({ ...c, channels: [...(c.channels ?? []), ...channels] }));

describe('channel wiring in the stack', () => {
  afterAll(cleanUpOutdirs);

  it('lets the Page step read one secret per configured channel that needs one, and nothing else under the prefix', () => {
    const built = buildApp(withChannels([
      { name: 'ops-slack', type: 'slack', secret: 'ops-slack' },
      { name: 'ops-hook', type: 'webhook', secret: 'ops-hook' },
      { name: 'mail', type: 'email' },
    ]));
    const resources = channelSecretResources(built);
    const names = resources.map((r) => /secret:alert-pipeline\/dev\/channels\/([^"]+)"/.exec(r)?.[1]).sort();
    expect(names).toEqual(['ops-hook-??????', 'ops-slack-??????', 'platform-slack-??????']);
    expect(resources.join()).not.toContain('*');
  });

  it('reads the webhook URL secret of a google-chat channel', () => {
    const resources = channelSecretResources(buildApp(withChannels([{ name: 'ops-chat', type: 'google-chat', secret: 'ops-chat' }])));
    expect(resources.some((r) => r.includes('secret:alert-pipeline/dev/channels/ops-chat-??????"'))).toBe(true);
  });

  it('passes cdk-nag with secret channels, Google Chat included', () => {
    const { app } = createApp(withChannels([
      { name: 'ops-slack', type: 'slack', secret: 'ops-slack' },
      { name: 'ops-chat', type: 'google-chat', secret: 'ops-chat' },
    ]), { appProps: testAppProps() });
    expect(() => app.synth()).not.toThrow();
  });
});
