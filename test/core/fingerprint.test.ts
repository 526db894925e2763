import crypto from 'node:crypto';
import { fingerprintOf, messageKeyOf, sha256Hex } from '../../lambdas/core/fingerprint';

/** SHA-256 the way the fingerprint was always computed (stored fingerprints must not change). */
const reference = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

describe('fingerprint', () => {
  it('is the SHA-256 hex of the fingerprint key, and message keys are the first 32 hex of the sorted, distinct delivery keys', () => {
    for (const key of ['am:https://am.example.com:3f9a1c0de4b27781', 'cw:arn:aws:cloudwatch:eu-west-1:123456789012:alarm:é ü', '']) {
      expect(fingerprintOf(key)).toBe(reference(key));
      expect(sha256Hex(key)).toBe(reference(key));
    }
    expect(messageKeyOf('alertmanager', ['b', 'a', 'b'])).toBe(reference('alertmanager\na\nb').slice(0, 32));
  });

  it('hashes a fingerprint key once, however often its fingerprint is asked for (a storm repeats a few keys)', () => {
    const createHash = jest.spyOn(crypto, 'createHash');
    const hash = jest.spyOn(crypto, 'hash');
    try {
      const key = 'am:https://am.example.com:asked-for-eleven-times';
      const first = fingerprintOf(key);
      for (let i = 0; i < 10; i++) expect(fingerprintOf(key)).toBe(first);
      expect(createHash.mock.calls.length + hash.mock.calls.length).toBe(1);
    } finally {
      createHash.mockRestore();
      hash.mockRestore();
    }
  });

  it('stays bounded: many distinct keys all get their own fingerprint', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k-${i}`);
    for (const k of keys) fingerprintOf(k);
    for (const k of [keys[0]!, keys[9_999]!, keys[19_999]!]) expect(fingerprintOf(k)).toBe(reference(k));
  });
});
