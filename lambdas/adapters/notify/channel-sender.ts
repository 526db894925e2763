/**
 * NotificationSender for every channel type, dispatching on the transport kind its descriptor names
 * (`core/notify/channels`): `https-json` is an HTTPS POST of the rendered JSON body to the URL in the channel's
 * secret (HMAC-signed when the descriptor says so: Slack, Teams, Google Chat, generic webhooks); `sns` (email, SMS)
 * goes to a pluggable function, SNS in AWS. Channel secrets (webhook URLs, HMAC keys) come from a resolver: Secrets
 * Manager in AWS, the local secrets file or environment locally.
 */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import type { Delivery } from '../../core/escalation/recipients';
import type { RenderedPage } from '../../core/notify/channels';
import type { NotificationSender, SendResult } from '../../core/ports';
import type { Incident } from '../../core/model/incident';
import { channelDescriptor, channelSecret } from '../../core/notify/channels';
import { signWebhook } from '../../core/notify/webhook-signature';

export interface ChannelSecret {
  url: string;
  hmacKey?: string;
}

/** Resolves a channel's secret by its configured name; null when it is not available. */
export type SecretResolver = (secretName: string) => Promise<ChannelSecret | null>;

/** Sends email or SMS (SNS in AWS, the outbox locally). */
export type DirectSender = (delivery: Delivery, page: RenderedPage, incident: Incident) => Promise<SendResult>;

export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

const TIMEOUT_MS = 5000;

export class ChannelSender implements NotificationSender {
  private readonly channels: Map<string, PipelineConfig['channels'][number]>;

  constructor(
    config: PipelineConfig,
    private readonly secrets: SecretResolver,
    private readonly direct: DirectSender,
    private readonly fetcher: Fetch = fetch as unknown as Fetch,
    private readonly nowSec: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.channels = new Map(config.channels.map((c) => [c.name, c]));
  }

  async send(delivery: Delivery, page: RenderedPage, incident: Incident): Promise<SendResult> {
    const descriptor = channelDescriptor(delivery.type);
    const transport = descriptor.transport;
    if (transport.kind === 'sns') return this.direct(delivery, page, incident);
    const channel = delivery.channel ? this.channels.get(delivery.channel) : undefined;
    const secretName = channel ? channelSecret(channel) : null;
    if (!channel || !secretName) return { ok: false, error: `channel ${delivery.channel ?? '(none)'} is not configured` };
    const secret = await this.secrets(secretName);
    if (!secret) return { ok: false, status: 401, error: `secret ${secretName} of channel ${channel.name} is not set` };
    const body = JSON.stringify(page[delivery.type]);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (transport.signing === 'hmac-sha256') {
      if (!secret.hmacKey) return { ok: false, status: 401, error: `secret ${secretName} has no hmacKey` };
      Object.assign(headers, signWebhook(body, secret.hmacKey, this.nowSec()));
    }
    try {
      const res = await this.fetcher(secret.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (res.ok) return { ok: true, detail: `HTTP ${res.status}` };
      const text = (await res.text().catch(() => '')).slice(0, 200);
      return { ok: false, status: res.status, error: `HTTP ${res.status}${text ? ` ${text}` : ''}` };
    } catch (err) {
      return { ok: false, error: (err as Error).name === 'TimeoutError' ? `timed out after ${TIMEOUT_MS} ms` : (err as Error).message };
    }
  }
}
