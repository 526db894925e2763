import {
  DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, UpdateSecretVersionStageCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerVersions } from '../../lambdas/adapters/secrets/secret-versions';

describe('SecretsManagerVersions', () => {
  it('maps the four rotation calls to Secrets Manager', async () => {
    const sent: Array<{ name: string; input: unknown }> = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        if (command instanceof DescribeSecretCommand) return { Name: 'alert-pipeline/integrations/am', VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] } };
        if (command instanceof GetSecretValueCommand) {
          if (command.input.VersionStage === 'AWSPENDING') throw new ResourceNotFoundException({ message: 'no value yet', $metadata: {} });
          return { SecretString: '{"current":"a"}' };
        }
        return {};
      },
    } as unknown as SecretsManagerClient;
    const v = new SecretsManagerVersions(client);
    expect(await v.describe('arn')).toEqual({ name: 'alert-pipeline/integrations/am', versions: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] } });
    expect(await v.value('arn', { stage: 'AWSCURRENT' })).toBe('{"current":"a"}');
    expect(await v.value('arn', { stage: 'AWSPENDING', versionId: 'v2' })).toBeNull();
    await v.putPending('arn', 'v2', '{"current":"b"}');
    await v.promote('arn', 'v2', 'v1');
    expect(sent.map((s) => s.name)).toEqual([
      DescribeSecretCommand.name, GetSecretValueCommand.name, GetSecretValueCommand.name, PutSecretValueCommand.name, UpdateSecretVersionStageCommand.name,
    ]);
    expect(sent[2]!.input).toEqual({ SecretId: 'arn', VersionStage: 'AWSPENDING', VersionId: 'v2' });
    expect(sent[3]!.input).toEqual({ SecretId: 'arn', ClientRequestToken: 'v2', SecretString: '{"current":"b"}', VersionStages: ['AWSPENDING'] });
    expect(sent[4]!.input).toEqual({ SecretId: 'arn', VersionStage: 'AWSCURRENT', MoveToVersionId: 'v2', RemoveFromVersionId: 'v1' });
  });
});
