/** The credential provider the bundles use instead of the SDK's full chain (handlers/shared/lambda-credentials.ts). */
import { defaultProvider } from '../../lambdas/handlers/shared/lambda-credentials';
import { ConfigError } from '../../lambdas/core/errors';

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_ACCOUNT_ID', 'AWS_CREDENTIAL_SCOPE'];

describe('lambda credentials', () => {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const k of KEYS) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  });

  it('reads the execution role from the variables Lambda sets, at each call', async () => {
    for (const k of KEYS) delete process.env[k];
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'secret1', AWS_SESSION_TOKEN: 'token1' });
    const provider = defaultProvider({});
    await expect(provider()).resolves.toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 'secret1', sessionToken: 'token1' });
    Object.assign(process.env, { AWS_SESSION_TOKEN: 'token2', AWS_CREDENTIAL_EXPIRATION: '2026-12-02T06:00:00Z', AWS_ACCOUNT_ID: '123456789012' });
    await expect(provider()).resolves.toEqual({
      accessKeyId: 'AKIA1', secretAccessKey: 'secret1', sessionToken: 'token2', expiration: new Date('2026-12-02T06:00:00Z'), accountId: '123456789012',
    });
  });

  it('says which variables are missing instead of sending unsigned requests', async () => {
    for (const k of KEYS) delete process.env[k];
    await expect(defaultProvider()()).rejects.toThrow(ConfigError);
    await expect(defaultProvider()()).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });
});
