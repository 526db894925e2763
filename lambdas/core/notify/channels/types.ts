/**
 * What a notification channel type is, in one descriptor: its config fields, its renderer, how it is sent, whether it
 * needs a secret and its rate-cap default. Pure data and pure functions; the sender adapter
 * (`adapters/notify/channel-sender.ts`) does the I/O for each transport kind, the config schema, the outbox and the
 * CDK app read the registry (`channels/index.ts`) instead of listing types.
 */
import type * as z from 'zod/mini';
import type { PageMessageInput } from '../text';

/**
 * How a rendered page leaves, named by the descriptor and carried out by the sender adapter:
 * - `sns`: published through SNS (email: the person's email topic; SMS: the phone number).
 * - `https-json`: an HTTPS `POST` of the rendered JSON body to the URL kept in the channel's secret, signed with the
 *   secret's HMAC key (`X-Alert-Pipeline-Signature`, `notify/webhook-signature.ts`) when `signing` is `hmac-sha256`.
 */
export type ChannelTransport =
  | { kind: 'sns'; to: 'email-topic' | 'phone-number' }
  | { kind: 'https-json'; signing: 'none' | 'hmac-sha256' };

/**
 * What the channel's secret holds (Secrets Manager `alert-pipeline/channels/<secret>` in AWS,
 * `CHANNEL_SECRET_<NAME>` or `local-secrets.json` locally), or null for channels without one.
 * `url`: the webhook URL (plain, or `{"url": "..."}`); `url-and-hmac-key`: `{"url": "...", "hmacKey": "..."}`.
 */
export type ChannelSecretKind = 'url' | 'url-and-hmac-key';

/** Extra config fields of a channel type, besides `name`, `type`, `maxPerMinute` and `secret`. */
export type ChannelConfigShape = Record<string, z.ZodMiniType>;

export interface ChannelDescriptor<
  Type extends string = string,
  Rendered = unknown,
  Secret extends ChannelSecretKind | null = ChannelSecretKind | null,
  Shape extends ChannelConfigShape = ChannelConfigShape,
> {
  /** The `channels[].type` value. */
  type: Type;
  displayName: string;
  /** Added config fields (most channels have none). `secret` is added by the registry when `secret` is not null. */
  configShape: Shape;
  secret: Secret;
  transport: ChannelTransport;
  /** `maxPerMinute`: its default and the largest value the config accepts. */
  rateCap: { default: number; max: number };
  /** The page as this channel wants it; a JSON object for `https-json` transports. */
  render(input: PageMessageInput): Rendered;
}

/** Declares a channel type, keeping its literal type and its renderer's result type. */
export function defineChannel<const Type extends string, Rendered, const Secret extends ChannelSecretKind | null, Shape extends ChannelConfigShape = {}>(
  descriptor: ChannelDescriptor<Type, Rendered, Secret, Shape>,
): ChannelDescriptor<Type, Rendered, Secret, Shape> {
  return descriptor;
}
