/**
 * The events AWS services hand to Lambda, built locally so the local runtime invokes each function's handler the way
 * its trigger (handlers/functions.ts) does in AWS: an EventBridge "Scheduled Event" for schedules, an SNS -> Lambda
 * record for the alarm topic.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent, SNSEvent } from 'aws-lambda';

const LOCAL_ACCOUNT = '000000000000';

/** What EventBridge sends a schedule's target (the rule named after the function's construct id, as in the stack). */
export function scheduledEvent(ruleName: string, at: Date): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: [`arn:aws:events:local:${LOCAL_ACCOUNT}:rule/${ruleName}`],
    detail: {},
  };
}

/** What SNS sends a subscribed function for one message published to `topicArn`. */
export function snsEvent(topicArn: string, message: string, messageId: string, at: Date): SNSEvent {
  return {
    Records: [{
      EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: `${topicArn}:local`,
      Sns: {
        Type: 'Notification', MessageId: messageId, TopicArn: topicArn, Subject: null as unknown as string,
        Message: message, Timestamp: at.toISOString(),
        SignatureVersion: '2', Signature: 'local', SigningCertUrl: 'https://sns.local.amazonaws.com/local.pem',
        UnsubscribeUrl: 'https://sns.local.amazonaws.com/?Action=Unsubscribe', MessageAttributes: {},
      },
    }],
  };
}
