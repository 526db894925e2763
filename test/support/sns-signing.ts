/**
 * Signs SNS envelopes with a key pair made for the test, the way SNS does (docs/formats.md §2.6): the string to sign is
 * `Name\nValue\n` for each field in the documented order; v1 = SHA1withRSA, v2 = SHA256withRSA.
 */
import { generateKeyPairSync, sign } from 'node:crypto';

export const TEST_CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const TEST_PUBLIC_KEY_PEM = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

export function signEnvelope(
  envelope: Record<string, unknown>,
  options: { version?: '1' | '2'; forgeWithOtherKey?: boolean } = {},
): Record<string, unknown> {
  const version = options.version ?? '2';
  const keys = envelope.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  let toSign = '';
  for (const k of keys) {
    const v = envelope[k];
    if (v === undefined || v === null) continue;
    toSign += `${k}\n${String(v)}\n`;
  }
  const key = options.forgeWithOtherKey ? other.privateKey : pair.privateKey;
  const signature = sign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256', Buffer.from(toSign, 'utf8'), key).toString('base64');
  return { ...envelope, SignatureVersion: version, Signature: signature, SigningCertURL: TEST_CERT_URL };
}
