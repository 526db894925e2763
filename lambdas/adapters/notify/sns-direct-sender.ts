/**
 * Email and SMS through SNS: SMS by publishing to the phone number; email by publishing to the person's email topic
 * (the CDK app creates one topic per person with an email contact and subscribes the address; the person confirms
 * the subscription once).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Delivery } from '../../core/escalation/recipients';
import { channelDescriptor, type RenderedPage } from '../../core/notify/channels';
import type { SendResult } from '../../core/ports';
import type { DirectSender } from './channel-sender';

export function snsDirectSender(sns: SNSClient, emailTopics: Record<string, string>): DirectSender {
  return async (delivery: Delivery, page: RenderedPage): Promise<SendResult> => {
    try {
      const transport = channelDescriptor(delivery.type).transport;
      if (transport.kind !== 'sns') return { ok: false, error: `channel type ${delivery.type} is not sent through SNS` };
      if (transport.to === 'phone-number') {
        if (!delivery.address) return { ok: false, error: 'no phone number' };
        const out = await sns.send(new PublishCommand({
          PhoneNumber: delivery.address,
          Message: page.sms,
          MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
        }));
        return { ok: true, detail: `SNS message ${out.MessageId ?? ''}` };
      }
      const topic = delivery.person ? emailTopics[delivery.person] : undefined;
      if (!topic) return { ok: false, error: `no email topic for ${delivery.person ?? 'this delivery'}` };
      const out = await sns.send(new PublishCommand({ TopicArn: topic, Subject: page.email.subject.slice(0, 99), Message: page.email.text }));
      return { ok: true, detail: `SNS message ${out.MessageId ?? ''}` };
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      return { ok: false, status: e.$metadata?.httpStatusCode, error: `${e.name ?? 'Error'}: ${e.message ?? ''}` };
    }
  };
}
