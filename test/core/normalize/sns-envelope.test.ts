import fc from 'fast-check';
import { InvalidPayloadError } from '../../../lambdas/core/errors';
import { parseSnsEnvelope, parseSnsHttpBody, parseSnsLambdaEvent, sqsBodiesOf } from '../../../lambdas/core/normalize/sns-envelope';
import { BODY_PATH, loadFixture, errorOf } from '../../support/fixtures';
import { anyInput, FUZZ_RUNS, mutatedFrom } from '../../support/normalize-fuzz';

type Json = Record<string, unknown>;
const httpsEnvelope = () => structuredClone(loadFixture('cloudwatch', 'sns-https-metric-alarm')) as Json;
const lambdaEvent = () => structuredClone(loadFixture('cloudwatch', 'sns-lambda-record')) as { Records: Array<{ Sns: Json }> };

const SUBSCRIPTION_CONFIRMATION: Json = {
  Type: 'SubscriptionConfirmation',
  MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
  Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad0',
  TopicArn: 'arn:aws:sns:eu-west-1:111122223333:ops-alarms',
  Message: 'You have chosen to subscribe to the topic arn:aws:sns:eu-west-1:111122223333:ops-alarms.',
  SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:111122223333:ops-alarms&Token=2336412f',
  Timestamp: '2024-06-10T09:00:00.000Z',
  SignatureVersion: '1',
  Signature: 'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
  SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
};

describe('parseSnsEnvelope', () => {
  it('reads the HTTPS envelope (URL casing) into normalized field names', () => {
    const env = parseSnsEnvelope(httpsEnvelope());
    expect(env).toMatchObject({
      type: 'Notification',
      messageId: '0b7f6c3e-2a41-5d8e-9f10-3c2b1a0d9e8f',
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:ops-alarms',
      subject: 'ALARM: "checkout-5xx-rate" in EU (Ireland)',
      timestamp: '2024-06-10T14:03:12.402Z',
      signatureVersion: '2',
      signingCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      subscribeUrl: null,
      token: null,
      messageAttributes: {},
      casing: 'URL',
    });
    expect(env.unsubscribeUrl).toMatch(/^https:\/\/sns\.eu-west-1\.amazonaws\.com\/\?Action=Unsubscribe/);
  });

  it('reads the SNS -> Lambda record object (Url casing, Subject null) into the same field names', () => {
    const sns = lambdaEvent().Records[0]!.Sns;
    const env = parseSnsEnvelope(sns);
    const https = parseSnsEnvelope(httpsEnvelope());
    expect(env.casing).toBe('Url');
    expect(env.subject).toBeNull();
    expect(env.signingCertUrl).toBe(https.signingCertUrl);
    expect(env.message).toBe(https.message);
    expect(env.messageId).toBe(https.messageId);
  });

  it('keeps the original fields exactly as received, for signature verification', () => {
    const sns = lambdaEvent().Records[0]!.Sns;
    const env = parseSnsEnvelope(sns);
    expect(env.original).toEqual(sns);
    expect(env.original.SigningCertUrl).toBe(sns.SigningCertUrl);
    expect(env.original.SigningCertURL).toBeUndefined();
    expect(env.original.Message).toBe(sns.Message);
  });

  it('keeps unknown keys in the original', () => {
    const body = { ...httpsEnvelope(), FutureField: 'x' };
    expect(parseSnsEnvelope(body).original).toMatchObject({ FutureField: 'x' });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
  ])('reads a Subject that is %s as null', (_what, subject) => {
    const body = httpsEnvelope();
    if (subject === undefined) delete body.Subject;
    else body.Subject = subject;
    expect(parseSnsEnvelope(body).subject).toBeNull();
  });

  it('reads MessageAttributes when present', () => {
    const body = { ...httpsEnvelope(), MessageAttributes: { team: { Type: 'String', Value: 'checkout' } } };
    expect(parseSnsEnvelope(body).messageAttributes).toEqual({ team: { Type: 'String', Value: 'checkout' } });
  });

  it('reads a SubscriptionConfirmation with its Token and SubscribeURL', () => {
    const env = parseSnsEnvelope(SUBSCRIPTION_CONFIRMATION);
    expect(env.type).toBe('SubscriptionConfirmation');
    expect(env.token).toBe(SUBSCRIPTION_CONFIRMATION.Token);
    expect(env.subscribeUrl).toBe(SUBSCRIPTION_CONFIRMATION.SubscribeURL);
    expect(env.subject).toBeNull();
    expect(env.unsubscribeUrl).toBeNull();
  });

  it('reads an UnsubscribeConfirmation', () => {
    expect(parseSnsEnvelope({ ...SUBSCRIPTION_CONFIRMATION, Type: 'UnsubscribeConfirmation' }).type).toBe('UnsubscribeConfirmation');
  });

  it.each([
    ['an unknown Type', (b: Json) => ({ ...b, Type: 'Notice' }), 'Type'],
    ['no MessageId', ({ MessageId: _, ...b }: Json) => b, 'MessageId'],
    ['an empty TopicArn', (b: Json) => ({ ...b, TopicArn: '' }), 'TopicArn'],
    ['a Message that is not a string', (b: Json) => ({ ...b, Message: { AlarmName: 'x' } }), 'Message'],
    ['SignatureVersion 3', (b: Json) => ({ ...b, SignatureVersion: '3' }), 'SignatureVersion'],
    ['SignatureVersion as a number', (b: Json) => ({ ...b, SignatureVersion: 2 }), 'SignatureVersion'],
    ['no signing certificate URL in either casing', ({ SigningCertURL: _, ...b }: Json) => b, 'SigningCertURL'],
    ['a Timestamp that is not a time', (b: Json) => ({ ...b, Timestamp: 'yesterday' }), 'Timestamp'],
    ['MessageAttributes without Type', (b: Json) => ({ ...b, MessageAttributes: { a: { Value: 'x' } } }), 'MessageAttributes.a.Type'],
  ])('rejects an envelope with %s', (_what, mutate, path) => {
    expect(errorOf(() => parseSnsEnvelope(mutate(httpsEnvelope()))).issues[0]?.path).toBe(path);
  });

  it.each([
    ['Token', 'Token'],
    ['SubscribeURL', 'SubscribeURL'],
  ])('rejects a SubscriptionConfirmation without %s', (field, path) => {
    const body = { ...SUBSCRIPTION_CONFIRMATION };
    delete body[field];
    expect(errorOf(() => parseSnsEnvelope(body)).issues[0]?.path).toBe(path);
  });

  it('names fields under the path prefix it is given', () => {
    const body = { ...httpsEnvelope(), MessageId: 42 };
    expect(errorOf(() => parseSnsEnvelope(body, ['Records', 0, 'Sns'])).issues[0]?.path).toBe('Records[0].Sns.MessageId');
  });

  it('normalizes or rejects arbitrary values and mutated envelopes with InvalidPayloadError', () => {
    const inputs = fc.oneof(anyInput, mutatedFrom(httpsEnvelope()), mutatedFrom(lambdaEvent().Records[0]!.Sns));
    fc.assert(
      fc.property(inputs, (body) => {
        try {
          const env = parseSnsEnvelope(body);
          expect(env.messageId.length).toBeGreaterThan(0);
          expect(env.signingCertUrl.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPayloadError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('parseSnsHttpBody', () => {
  it('parses the text/plain body SNS posts', () => {
    const text = JSON.stringify(httpsEnvelope());
    expect(parseSnsHttpBody(text).messageId).toBe('0b7f6c3e-2a41-5d8e-9f10-3c2b1a0d9e8f');
  });

  it.each(['', 'not json', '{"Type":', 'ALARM: "checkout-5xx-rate" in EU (Ireland)'])(
    'rejects the non-JSON body %j naming (body)',
    (text) => {
      const error = errorOf(() => parseSnsHttpBody(text));
      expect(error.issues[0]?.path).toBe(BODY_PATH);
      expect(error.message).toContain('(body)');
    },
  );

  it('rejects JSON that is not an object naming (body)', () => {
    expect(errorOf(() => parseSnsHttpBody('[1,2]')).issues[0]?.path).toBe(BODY_PATH);
  });

  it('parses or rejects arbitrary text with InvalidPayloadError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          parseSnsHttpBody(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPayloadError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('parseSnsLambdaEvent', () => {
  it('returns the envelope of every record', () => {
    const envs = parseSnsLambdaEvent(lambdaEvent());
    expect(envs).toHaveLength(1);
    expect(envs[0]?.casing).toBe('Url');
  });

  it.each([
    ['no Records', {}, 'Records'],
    ['an empty Records array', { Records: [] }, 'Records'],
    ['a record from SQS', { Records: [{ EventSource: 'aws:sqs', Sns: {} }] }, 'Records[0].EventSource'],
    ['a record without Sns', { Records: [{ EventSource: 'aws:sns' }] }, 'Records[0].Sns'],
  ])('rejects an event with %s', (_what, event, path) => {
    expect(errorOf(() => parseSnsLambdaEvent(event)).issues[0]?.path).toBe(path);
  });
});

describe('sqsBodiesOf', () => {
  it('returns each record body unparsed', () => {
    const bodies = sqsBodiesOf(loadFixture('cloudwatch', 'sns-sqs-record'));
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!)).toEqual(httpsEnvelope());
  });

  it('rejects a record whose body is not a string', () => {
    expect(errorOf(() => sqsBodiesOf({ Records: [{ eventSource: 'aws:sqs', body: { a: 1 } }] })).issues[0]?.path).toBe('Records[0].body');
  });
});
