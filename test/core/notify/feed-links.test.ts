import fc from 'fast-check';
import { signFeedToken, verifyFeedToken } from '../../../lambdas/core/notify/feed-links';

const KEY = 'feed-key-0123456789abcdef';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('signFeedToken / verifyFeedToken', () => {
  it('verifies its own token and returns the schedule name, with any of the keys (rotation)', () => {
    const token = signFeedToken('platform-primary', KEY);
    expect(verifyFeedToken(token, KEY)).toBe('platform-primary');
    expect(verifyFeedToken(token, ['newer-key', KEY])).toBe('platform-primary');
    expect(verifyFeedToken(token, 'another-key')).toBeNull();
  });

  it('refuses every non-canonical encoding of the signature (the last character changed, same decoded bytes)', () => {
    const token = signFeedToken('platform-primary', KEY);
    const [payload, sig] = token.split('.') as [string, string];
    // 32 bytes = 43 base64url characters; the last one carries 2 padding bits that decode to nothing.
    expect(sig).toHaveLength(43);
    const variants = [...B64URL].filter((c) => c !== sig.at(-1)).map((c) => `${sig.slice(0, -1)}${c}`);
    const sameBytes = variants.filter((v) => Buffer.from(v, 'base64url').equals(Buffer.from(sig, 'base64url')));
    expect(sameBytes).toHaveLength(3);
    for (const v of variants) expect([v, verifyFeedToken(`${payload}.${v}`, KEY)]).toEqual([v, null]);
    // Padding, a missing or an extra character: refused too.
    for (const v of [`${sig}=`, sig.slice(0, -1), `${sig}A`]) expect(verifyFeedToken(`${payload}.${v}`, KEY)).toBeNull();
  });

  it('accepts exactly the token it signed: any other string for the same schedule is refused', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: fc.constantFrom(...B64URL), minLength: 1, maxLength: 60 }), (schedule, sig) => {
      const token = signFeedToken(schedule, KEY);
      const forged = `${token.split('.')[0]}.${sig}`;
      expect(verifyFeedToken(forged, KEY)).toBe(forged === token ? schedule : null);
    }));
  });
});
