import { acceptedTokens, matchToken, rotatedSecret, tokensOfSecret } from '../../../lambdas/core/integrations/tokens';

const T0 = Date.parse('2026-12-01T00:00:00Z');

describe('integration token secrets', () => {
  it('accepts the current token, and the previous one until previousValidUntil only', () => {
    const secret = { current: 'new', previous: 'old', previousValidUntil: '2026-12-02T00:00:00Z' };
    expect(acceptedTokens(tokensOfSecret(secret), T0)).toEqual(['new', 'old']);
    expect(acceptedTokens(tokensOfSecret(secret), Date.parse('2026-12-02T00:00:00Z'))).toEqual(['new']);
  });

  it('refuses a previous token without an end (a rotation always sets one)', () => {
    expect(acceptedTokens(tokensOfSecret({ current: 'new', previous: 'old' }), T0)).toEqual(['new']);
  });

  it('reads the single ingest token shape, whose previous token has no end', () => {
    expect(acceptedTokens(tokensOfSecret({ token: 'a', previousToken: 'b' }), T0)).toEqual(['a', 'b']);
  });

  it.each([null, 'text', {}, { current: '' }, { token: 7 }])('holds no token: %j', (secret) => {
    expect(tokensOfSecret(secret)).toEqual([]);
  });

  it('rotates: the new token is current, the old one previous for the grace period', () => {
    expect(rotatedSecret({ current: 'old', previous: 'older', previousValidUntil: '2026-11-30T00:00:00Z' }, 'new', T0, 24))
      .toEqual({ current: 'new', previous: 'old', previousValidUntil: '2026-12-02T00:00:00.000Z' });
    expect(rotatedSecret({ token: 'legacy' }, 'new', T0, 1)).toEqual({ current: 'new', previous: 'legacy', previousValidUntil: '2026-12-01T01:00:00.000Z' });
    expect(rotatedSecret({ current: 'old' }, 'new', T0, 0)).toEqual({ current: 'new' });
    expect(rotatedSecret(null, 'new', T0, 24)).toEqual({ current: 'new' });
  });

  it('finds the candidate whose token matches, and nothing for an unknown, empty or oversized token', () => {
    const candidates = [{ key: 'a', tokens: ['ta'] }, { key: 'b', tokens: ['tb1', 'tb2'] }];
    expect(matchToken('tb2', candidates)).toBe('b');
    expect(matchToken('ta', candidates)).toBe('a');
    expect(matchToken('tc', candidates)).toBeNull();
    expect(matchToken('', candidates)).toBeNull();
    expect(matchToken(undefined, candidates)).toBeNull();
    expect(matchToken('x'.repeat(513), [{ key: 'long', tokens: ['x'.repeat(513)] }])).toBeNull();
  });
});
