import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../lambdas/core/notify/messages';

const KEY = 'whsec-current';
const OLD = 'whsec-previous';
const TS = 1_718_028_300;
const BODY = JSON.stringify({ type: 'incident.page', incident: { id: 'inc-1', title: 'Ünïcode & "quotes"' } });

describe('signWebhook', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 as v1=<hex>', () => {
    const headers = signWebhook(BODY, KEY, TS);
    const expected = createHmac('sha256', KEY).update(`${TS}.${BODY}`).digest('hex');
    expect(headers).toEqual({ [TIMESTAMP_HEADER]: String(TS), [SIGNATURE_HEADER]: `v1=${expected}` });
  });

  it('signs with every key during a rotation', () => {
    const sig = signWebhook(BODY, [KEY, OLD], TS)[SIGNATURE_HEADER];
    expect(sig.split(',')).toHaveLength(2);
    expect(sig).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
  });

  it('refuses an empty key or a fractional timestamp', () => {
    expect(() => signWebhook(BODY, '', TS)).toThrow('non-empty');
    expect(() => signWebhook(BODY, [], TS)).toThrow('non-empty');
    expect(() => signWebhook(BODY, KEY, 1.5)).toThrow('whole seconds');
  });
});

describe('verifyWebhookSignature', () => {
  const headers = signWebhook(BODY, KEY, TS);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

  it.each([
    ['the right key, at once', BODY, headers, KEY, TS, { ok: true }],
    ['lower-case header names (API Gateway)', BODY, lower, KEY, TS, { ok: true }],
    ['4 minutes late', BODY, headers, KEY, TS + 240, { ok: true }],
    ['one of the receiver keys (rotation)', BODY, headers, [OLD, KEY], TS, { ok: true }],
    ['a changed body', BODY.replace('inc-1', 'inc-2'), headers, KEY, TS, { ok: false, reason: 'bad-signature' }],
    ['a wrong key', BODY, headers, 'nope', TS, { ok: false, reason: 'bad-signature' }],
    ['a changed timestamp', BODY, { ...headers, [TIMESTAMP_HEADER]: String(TS + 1) }, KEY, TS, { ok: false, reason: 'bad-signature' }],
    ['6 minutes late (replay)', BODY, headers, KEY, TS + 360, { ok: false, reason: 'expired' }],
    ['6 minutes early', BODY, headers, KEY, TS - 360, { ok: false, reason: 'expired' }],
    ['no signature header', BODY, { [TIMESTAMP_HEADER]: String(TS) }, KEY, TS, { ok: false, reason: 'malformed' }],
    ['no timestamp header', BODY, { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] }, KEY, TS, { ok: false, reason: 'malformed' }],
    ['a non-numeric timestamp', BODY, { ...headers, [TIMESTAMP_HEADER]: 'now' }, KEY, TS, { ok: false, reason: 'malformed' }],
    ['an unknown scheme', BODY, { ...headers, [SIGNATURE_HEADER]: 'v0=abc' }, KEY, TS, { ok: false, reason: 'malformed' }],
    ['a short hex', BODY, { ...headers, [SIGNATURE_HEADER]: 'v1=abcd' }, KEY, TS, { ok: false, reason: 'malformed' }],
  ])('%s', (_name, body, h, key, now, expected) => {
    expect(verifyWebhookSignature(body, h as Record<string, string>, key, now)).toEqual(expected);
  });

  it('accepts a request signed with both keys by a receiver holding only the old one', () => {
    expect(verifyWebhookSignature(BODY, signWebhook(BODY, [KEY, OLD], TS), OLD, TS)).toEqual({ ok: true });
  });

  it('honours a custom tolerance', () => {
    expect(verifyWebhookSignature(BODY, headers, KEY, TS + 30, 10)).toEqual({ ok: false, reason: 'expired' });
  });
});
