/**
 * NotificationSender for every channel type: Slack incoming webhooks (Block Kit), Microsoft Teams (Adaptive Card),
 * generic webhooks signed with HMAC, and email/SMS through SNS (AWS) — the SNS part is a pluggable function so the
 * local runtime can route it to its outbox. Channel secrets (webhook URLs, HMAC keys) come from a resolver:
 * Secrets Manager in AWS, the local secrets file or environment locally.
 */
import type { PipelineConfig } from '../../core/config/pipeline-config.schema';
import type { Delivery } from '../../core/escalation/plan';
import type { NotificationSender, RenderedPage, SendResult } from '../../core/escalation/run';
import type { Incident } from '../../core/model/incident';
import { signWebhook } from '../../core/notify/messages';

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
    if (delivery.type === 'email' || delivery.type === 'sms') return this.direct(delivery, page, incident);
    const channel = delivery.channel ? this.channels.get(delivery.channel) : undefined;
    if (!channel || !('secret' in channel)) return { ok: false, error: `channel ${delivery.channel ?? '(none)'} is not configured` };
    const secret = await this.secrets(channel.secret);
    if (!secret) return { ok: false, status: 401, error: `secret ${channel.secret} of channel ${channel.name} is not set` };
    const body = JSON.stringify(delivery.type === 'slack' ? page.slack : delivery.type === 'teams' ? page.teams : page.webhook);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (delivery.type === 'webhook') {
      if (!secret.hmacKey) return { ok: false, status: 401, error: `secret ${channel.secret} has no hmacKey` };
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
