/**
 * The notification channel registry: one line per channel type. The config schema (`channels[].type`),
 * `DeliveryType`, the rendered page of an escalation step, the sender adapter, the local outbox and the CDK app all
 * read it; adding a channel type is its module plus one line here (docs/architecture.md, "How to add a notification
 * channel").
 */
import * as z from 'zod/mini';
import type { PageMessageInput } from '../text';
import type { ChannelDescriptor } from './types';
import { email } from './email';
import { sms } from './sms';
import { slack } from './slack';
import { teams } from './teams';
import { webhook } from './webhook';
import { googleChat } from './google-chat';

export const CHANNEL_LIST = [
  email,
  sms,
  slack,
  teams,
  webhook,
  googleChat,
] as const;

type AnyChannel = (typeof CHANNEL_LIST)[number];
export type ChannelType = AnyChannel['type'];
export type { ChannelDescriptor, ChannelTransport, ChannelSecretKind } from './types';

/** The descriptors by type. */
export const CHANNELS = Object.fromEntries(CHANNEL_LIST.map((d) => [d.type, d])) as { [D in AnyChannel as D['type']]: D };
export const CHANNEL_TYPES = CHANNEL_LIST.map((d) => d.type) as ReadonlyArray<ChannelType>;

/** The descriptor of a channel type (a `Delivery`'s `type` is always one). */
export function channelDescriptor(type: ChannelType): ChannelDescriptor<ChannelType> {
  return CHANNELS[type] as ChannelDescriptor<ChannelType>;
}

/** The name of a configured channel's secret, or null when its type needs none. */
export function channelSecret(channel: { type: ChannelType; secret?: string }): string | null {
  return channelDescriptor(channel.type).secret === null ? null : (channel.secret ?? null);
}

/** The page rendered for every channel type, by type (what a `NotificationSender` receives). */
export type RenderedPage = { [D in AnyChannel as D['type']]: ReturnType<D['render']> };

/**
 * One page for every registered channel type, each rendered when it is first read (and kept): a page sent to a
 * webhook renders no Slack, Teams or Google Chat card (the local outbox also reads the email and SMS text).
 */
export function renderAll(input: PageMessageInput): RenderedPage {
  const page = {};
  for (const d of CHANNEL_LIST) {
    let rendered: unknown;
    let done = false;
    Object.defineProperty(page, d.type, {
      enumerable: true,
      get: () => {
        if (!done) [rendered, done] = [d.render(input), true];
        return rendered;
      },
    });
  }
  return page as RenderedPage;
}

// ---------------------------------------------------------------------------------------------------------------
// The `channels[]` config schema, built from the descriptors

/** The name of a channel's secret (Secrets Manager `alert-pipeline/channels/<secret>` in AWS). */
const secretName = z.string().check(z.minLength(1));

type SecretField<D extends AnyChannel> = D['secret'] extends null ? {} : { secret: typeof secretName };
type ChannelConfigSchema<D extends AnyChannel, Name extends z.ZodMiniType> = z.ZodMiniObject<
  { name: Name; type: z.ZodMiniLiteral<D['type']>; maxPerMinute: z.ZodMiniDefault<ReturnType<typeof z.int>> } & SecretField<D> & D['configShape'],
  z.core.$strict
>;
type ChannelConfigSchemas<Name extends z.ZodMiniType, List extends readonly AnyChannel[] = typeof CHANNEL_LIST> = {
  -readonly [K in keyof List]: List[K] extends AnyChannel ? ChannelConfigSchema<List[K], Name> : never;
};

function channelConfigSchema(d: AnyChannel, name: z.ZodMiniType) {
  return z.strictObject({
    name,
    type: z.literal(d.type),
    ...(d.secret === null ? {} : { secret: secretName }),
    maxPerMinute: z._default(z.int().check(z.minimum(1), z.maximum(d.rateCap.max)), d.rateCap.default),
    ...d.configShape,
  });
}

/** One strict object schema per channel type, for `z.discriminatedUnion('type', ...)` in the config schema. */
export function channelConfigSchemas<Name extends z.ZodMiniType>(name: Name): ChannelConfigSchemas<Name> {
  return CHANNEL_LIST.map((d) => channelConfigSchema(d, name)) as unknown as ChannelConfigSchemas<Name>;
}
