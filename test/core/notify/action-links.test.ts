import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { actionUrl, signActionToken, verifyActionToken, type ActionClaims } from '../../../lambdas/core/notify/action-links';

const KEY = 'k-2024-current-0123456789abcdef';
const OLD_KEY = 'k-2023-previous-0123456789abcdef';
const NOW = Date.parse('2024-06-10T14:05:00Z');
const claims: ActionClaims = { incidentId: 'inc-0123456789abcdef0123-1', action: 'acknowledge', expiresAtMs: NOW + 24 * 3_600_000, nonce: 'n-7f3a9c' };

/** Re-encodes the payload part with a change, keeping the old signature. */
function tamper(token: string, change: (wire: Record<string, unknown>) => void): string {
  const [payload, sig] = token.split('.') as [string, string];
  const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(wire);
  return `${Buffer.from(JSON.stringify(wire)).toString('base64url')}.${sig}`;
}

describe('signActionToken / verifyActionToken', () => {
  const token = signActionToken(claims, KEY);

  it('is compact and URL-safe: base64url payload, a dot, base64url HMAC-SHA256', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(160);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('verifies with the key it was signed with and returns the claims', () => {
    expect(verifyActionToken(token, KEY, NOW)).toEqual({ ok: true, claims, keyIndex: 0 });
    const resolve = signActionToken({ ...claims, action: 'resolve' }, KEY);
    expect(verifyActionToken(resolve, KEY, NOW)).toMatchObject({ ok: true, claims: { action: 'resolve' } });
  });

  it('carries its signed recipient; changing it breaks the signature', () => {
    const forBob = signActionToken({ ...claims, recipient: 'bob' }, KEY);
    expect(verifyActionToken(forBob, KEY, NOW)).toEqual({ ok: true, claims: { ...claims, recipient: 'bob' }, keyIndex: 0 });
    expect(verifyActionToken(tamper(forBob, (w) => { w.r = 'mallory'; }), KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyActionToken(tamper(forBob, (w) => { delete w.r; }), KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('accepts any of several keys (rotation) and says which matched', () => {
    const signedWithOld = signActionToken(claims, OLD_KEY);
    expect(verifyActionToken(signedWithOld, [KEY, OLD_KEY], NOW)).toMatchObject({ ok: true, keyIndex: 1 });
    expect(verifyActionToken(signedWithOld, [KEY], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['the last valid millisecond', claims.expiresAtMs - 1, { ok: true }],
    ['the expiry instant', claims.expiresAtMs, { ok: false, reason: 'expired' }],
    ['a day later', claims.expiresAtMs + 86_400_000, { ok: false, reason: 'expired' }],
  ])('at %s', (_name, now, expected) => {
    expect(verifyActionToken(token, KEY, now)).toMatchObject(expected);
  });

  it.each([
    ['another incident', (w: Record<string, unknown>) => (w.i = 'inc-ffffffffffffffffffff-1')],
    ['resolve instead of acknowledge', (w: Record<string, unknown>) => (w.a = 'res')],
    ['a later expiry', (w: Record<string, unknown>) => (w.e = (w.e as number) + 1)],
    ['another nonce', (w: Record<string, unknown>) => (w.n = 'n-other')],
  ])('rejects a token changed to %s', (_name, change) => {
    expect(verifyActionToken(tamper(token, change), KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a changed signature and a wrong key', () => {
    const [payload, sig] = token.split('.') as [string, string];
    const flipped = sig[0] === 'A' ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    expect(verifyActionToken(`${payload}.${flipped}`, KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyActionToken(token, 'another-key', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyActionToken(token, [], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyActionToken(token, [''], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', 'a.b.c'],
    ['not base64url', 'a+b.c/d'],
    ['a short signature', `${'e30'}.${'A'.repeat(20)}`],
    ['a non-canonical signature encoding', ''],
    ['far too long', `${'a'.repeat(2000)}.${'A'.repeat(43)}`],
  ])('rejects a malformed token: %s', (name, raw) => {
    let t = raw;
    if (name === 'a non-canonical signature encoding') {
      // The 43rd character carries 2 unused bits; setting them must not give a second valid spelling.
      const [payload, sig] = token.split('.') as [string, string];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(sig[42]!);
      t = `${payload}.${sig.slice(0, 42)}${alphabet[last ^ 1]}`;
    }
    expect(verifyActionToken(t, KEY, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects signed claims of the wrong shape as malformed', () => {
    const payload = Buffer.from(JSON.stringify({ i: 'inc-1', a: 'delete', e: NOW + 1000, n: 'x' })).toString('base64url');
    const t = `${payload}.${createHmac('sha256', KEY).update(payload).digest('base64url')}`;
    expect(verifyActionToken(t, KEY, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign with an empty key or bad claims', () => {
    expect(() => signActionToken(claims, '')).toThrow('non-empty');
    expect(() => signActionToken({ ...claims, expiresAtMs: 1.5 }, KEY)).toThrow('expiresAtMs');
    expect(() => signActionToken({ ...claims, nonce: '' }, KEY)).toThrow('invalid action link claims');
  });

  it('round-trips any claims, and no random string verifies (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          incidentId: fc.string({ minLength: 1, maxLength: 80 }),
          action: fc.constantFrom<ActionClaims['action']>('acknowledge', 'resolve'),
          expiresAtMs: fc.integer({ min: NOW + 1, max: NOW + 10 ** 10 }),
          nonce: fc.string({ minLength: 1, maxLength: 40 }),
        }),
        fc.string(),
        (c, junk) => {
          expect(verifyActionToken(signActionToken(c, KEY), [OLD_KEY, KEY], NOW)).toEqual({ ok: true, claims: c, keyIndex: 1 });
          expect(verifyActionToken(junk, KEY, NOW).ok).toBe(false);
        },
      ),
    );
  });
});

describe('actionUrl', () => {
  it.each([
    ['https://api.example.com', 'https://api.example.com/act/t.s'],
    ['https://api.example.com/', 'https://api.example.com/act/t.s'],
    ['http://localhost:3000//', 'http://localhost:3000/act/t.s'],
  ])('%s', (base, expected) => {
    expect(actionUrl(base, 't.s')).toBe(expected);
  });
});
