import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FRESH_READ_AFTER_MS, SECRET_CACHE_MS, SecretsManagerIntegrationSecrets } from '../../lambdas/adapters/secrets/integration-secrets';

function fakeClient(answer: (secretId: string) => unknown) {
  const calls: string[] = [];
  const client = {
    send: async (command: GetSecretValueCommand) => {
      const id = command.input.SecretId!;
      calls.push(id);
      const a = answer(id);
      if (a instanceof Error) throw a;
      return { SecretString: JSON.stringify(a) };
    },
  } as unknown as SecretsManagerClient;
  return { client, calls };
}

describe('SecretsManagerIntegrationSecrets', () => {
  it('reads each integration\'s secret once per 5 minutes; a fresh read re-reads a value older than 30 s', async () => {
    let now = 0;
    const { client, calls } = fakeClient((id) => ({ current: `token-of-${id}` }));
    const secrets = new SecretsManagerIntegrationSecrets(client, { am: 'alert-pipeline/integrations/am' }, () => now);
    expect(await secrets.secret('am')).toEqual({ current: 'token-of-alert-pipeline/integrations/am' });
    now += FRESH_READ_AFTER_MS - 1;
    await secrets.secret('am', { fresh: true });
    expect(calls).toHaveLength(1);
    now += 1;
    await secrets.secret('am', { fresh: true });
    expect(calls).toHaveLength(2);
    now += SECRET_CACHE_MS - 1;
    await secrets.secret('am');
    expect(calls).toHaveLength(2);
    now += 1;
    await secrets.secret('am');
    expect(calls).toHaveLength(3);
  });

  it('has nothing for an integration without a secret or a deleted secret, and does not cache a failed read', async () => {
    let fail = true;
    const { client, calls } = fakeClient((id) => {
      if (id === 'gone') return new ResourceNotFoundException({ message: 'gone', $metadata: {} });
      if (fail) return new Error('throttled');
      return { current: 'x' };
    });
    const secrets = new SecretsManagerIntegrationSecrets(client, { am: 'am', old: 'gone' }, () => 0);
    expect(await secrets.secret('unknown')).toBeNull();
    expect(await secrets.secret('old')).toBeNull();
    await expect(secrets.secret('am')).rejects.toThrow('throttled');
    fail = false;
    expect(await secrets.secret('am')).toEqual({ current: 'x' });
    expect(calls).toEqual(['gone', 'am', 'am']);
  });
});
