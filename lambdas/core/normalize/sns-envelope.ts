/**
 * Stage "normalize", the SNS envelope around CloudWatch alarm messages (docs/formats.md §2.1, §2.2).
 * One schema accepts both casings: the HTTPS body (`SigningCertURL`, `UnsubscribeURL`) and the `Sns` object of an
 * SNS -> Lambda record (`SigningCertUrl`, `UnsubscribeUrl`, `Subject: null`). The parsed envelope keeps the original
 * object next to the normalized field names, because signature verification needs the exact fields as sent.
 * Unknown keys are accepted (an SNS addition must not become a 4xx, which SNS treats as final).
 */
import * as z from 'zod/mini';
import { formatPath } from '../errors';
import { invalidField, parseWith, timestampString } from './shared';
import { checkJsonDepth } from './json-depth';

export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

const nonEmpty = z.string().check(z.minLength(1));
const optionalString = z.optional(z.nullable(z.string()));

/** `{"Type":"String","Value":"..."}` per attribute; Binary attributes carry base64 in `Value`. */
const MessageAttributeSchema = z.looseObject({
  Type: z.string(),
  Value: z.optional(z.nullable(z.string())),
});

export const SnsEnvelopeSchema = z.looseObject({
  Type: z.enum(SNS_MESSAGE_TYPES),
  MessageId: nonEmpty,
  TopicArn: nonEmpty,
  Subject: optionalString,
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: nonEmpty,
  SigningCertURL: optionalString,
  SigningCertUrl: optionalString,
  UnsubscribeURL: optionalString,
  UnsubscribeUrl: optionalString,
  SubscribeURL: optionalString,
  SubscribeUrl: optionalString,
  Token: optionalString,
  MessageAttributes: z.optional(z.nullable(z.record(z.string(), MessageAttributeSchema))),
});
/** The envelope object exactly as received (both casings possible): what signature verification reads. */
export type SnsEnvelopeOriginal = z.infer<typeof SnsEnvelopeSchema>;

/** An SNS envelope with one set of field names, whichever casing it arrived in. */
export interface SnsEnvelope {
  type: SnsMessageType;
  messageId: string;
  topicArn: string;
  /** Absent and `null` both become null. */
  subject: string | null;
  /** The message as a string, exactly as sent (CloudWatch puts a JSON document here). */
  message: string;
  /** `Timestamp` as ISO 8601 UTC. */
  timestamp: string;
  signatureVersion: '1' | '2';
  signature: string;
  signingCertUrl: string;
  /** Secret-ish: anyone holding it can unsubscribe. Never log it. */
  unsubscribeUrl: string | null;
  /** Confirmation types only. */
  subscribeUrl: string | null;
  /** Confirmation types only. */
  token: string | null;
  messageAttributes: Record<string, { Type: string; Value?: string | null }>;
  /** Which casing the envelope used: `URL` (HTTPS, SQS) or `Url` (SNS -> Lambda). */
  casing: 'URL' | 'Url';
  /** The envelope as received, for signature verification (the string to sign uses these exact values). */
  original: SnsEnvelopeOriginal;
}

/**
 * Parses an SNS envelope (HTTPS body or the `Sns` object of a Lambda record). Throws InvalidPayloadError naming the
 * bad field; `pathPrefix` places the envelope inside a larger event (`Records[0].Sns`).
 */
export function parseSnsEnvelope(body: unknown, pathPrefix: readonly PropertyKey[] = []): SnsEnvelope {
  const at = (field: string) => formatPath([...pathPrefix, field]);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidField(formatPath(pathPrefix), 'expected an SNS envelope (JSON object)');
  }
  const e = parseWith(SnsEnvelopeSchema, body, pathPrefix);
  const timestamp = z.safeParse(timestampString, e.Timestamp);
  if (!timestamp.success) throw invalidField(at('Timestamp'), 'expected an ISO 8601 timestamp');
  const signingCertUrl = e.SigningCertURL ?? e.SigningCertUrl;
  if (!signingCertUrl) throw invalidField(at('SigningCertURL'), 'required (SigningCertURL or SigningCertUrl)');
  const subscribeUrl = e.SubscribeURL ?? e.SubscribeUrl ?? null;
  const token = e.Token ?? null;
  if (e.Type !== 'Notification') {
    if (!token) throw invalidField(at('Token'), `required for ${e.Type}`);
    if (!subscribeUrl) throw invalidField(at('SubscribeURL'), `required for ${e.Type}`);
  }
  return {
    type: e.Type,
    messageId: e.MessageId,
    topicArn: e.TopicArn,
    subject: e.Subject ?? null,
    message: e.Message,
    timestamp: timestamp.data,
    signatureVersion: e.SignatureVersion,
    signature: e.Signature,
    signingCertUrl,
    unsubscribeUrl: e.UnsubscribeURL ?? e.UnsubscribeUrl ?? null,
    subscribeUrl,
    token,
    messageAttributes: e.MessageAttributes ?? {},
    casing: e.SigningCertURL != null ? 'URL' : 'Url',
    original: e,
  };
}

/**
 * Parses the text/plain body SNS POSTs to an HTTPS subscription. A body that is not JSON is an InvalidPayloadError
 * on the body itself (path `''`, shown as `(body)`).
 */
export function parseSnsHttpBody(text: string): SnsEnvelope {
  return parseSnsEnvelope(parseJsonText(text, []), []);
}

/**
 * JSON-parses text found at `path`; nested deeper than MAX_JSON_DEPTH or not JSON -> InvalidPayloadError naming
 * that path.
 */
export function parseJsonText(text: string, path: readonly PropertyKey[], what = 'a JSON document'): unknown {
  checkJsonDepth(text, path);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidField(formatPath(path), `expected ${what}`);
  }
}

const SnsLambdaRecordSchema = z.looseObject({
  EventSource: z.literal('aws:sns'),
  EventVersion: optionalString,
  EventSubscriptionArn: optionalString,
  Sns: z.unknown(),
});

const RecordsSchema = z.looseObject({
  Records: z.array(z.unknown()).check(z.minLength(1)),
});

/** The envelopes of an SNS -> Lambda event (`{"Records":[{"EventSource":"aws:sns","Sns":{...}}]}`). */
export function parseSnsLambdaEvent(event: unknown): SnsEnvelope[] {
  const { Records } = parseWith(RecordsSchema, event);
  return Records.map((record, i) => {
    parseWith(SnsLambdaRecordSchema, record, ['Records', i]);
    return parseSnsEnvelope((record as { Sns: unknown }).Sns, ['Records', i, 'Sns']);
  });
}

const SqsRecordSchema = z.looseObject({
  body: z.string(),
  eventSource: z.optional(z.literal('aws:sqs')),
  messageId: optionalString,
});

/** The record bodies of an SQS event (`{"Records":[{"eventSource":"aws:sqs","body":"..."}]}`), unparsed. */
export function sqsBodiesOf(event: unknown): string[] {
  const { Records } = parseWith(RecordsSchema, event);
  return Records.map((record, i) => parseWith(SqsRecordSchema, record, ['Records', i]).body);
}
