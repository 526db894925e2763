/**
 * The local runtime's notification outbox: every page is written to `DATA_DIR/outbox.jsonl` (shown at
 * `GET /local/outbox`), and a channel whose secret is configured locally (local-secrets.json `channels`, or
 * `CHANNEL_SECRET_<NAME>`) is also really sent — so a real Slack, Teams or Google Chat webhook can be tried from a laptop.
 */
import { appendFileSync, chmodSync, existsSync, readFileSync } from 'node:fs';
import type { Delivery } from '../core/escalation/recipients';
import type { RenderedPage } from '../core/notify/channels';
import type { NotificationSender, SendResult } from '../core/ports';
import type { Incident } from '../core/model/incident';
import type { ChannelSender, SecretResolver } from '../adapters/notify/channel-sender';
import type { PipelineConfig } from '../core/config/pipeline-config.schema';
import { channelDescriptor, channelSecret } from '../core/notify/channels';

export interface OutboxEntry {
  at: string;
  incidentId: string;
  type: Delivery['type'];
  channel: string | null;
  person: string | null;
  address: string | null;
  subject: string;
  text: string;
  sms: string;
  payload: Record<string, unknown> | null;
  /** Whether it was also sent for real through a locally configured channel secret. */
  sent: boolean;
}

export class LocalOutboxSender implements NotificationSender {
  constructor(
    private readonly path: string,
    private readonly config: PipelineConfig,
    private readonly secrets: SecretResolver,
    private readonly realSender: ChannelSender,
  ) {
    // Entries hold live action links: owner only, also for a file an older version left readable.
    if (existsSync(path)) chmodSync(path, 0o600);
  }

  async send(delivery: Delivery, page: RenderedPage, incident: Incident): Promise<SendResult> {
    let result: SendResult = { ok: true, detail: 'written to the local outbox' };
    let sent = false;
    const https = channelDescriptor(delivery.type).transport.kind === 'https-json';
    if (https) {
      const channel = this.config.channels.find((c) => c.name === delivery.channel);
      const secretName = channel ? channelSecret(channel) : null;
      if (secretName && (await this.secrets(secretName))) {
        result = await this.realSender.send(delivery, page, incident);
        sent = result.ok;
      }
    }
    const entry: OutboxEntry = {
      at: new Date().toISOString(),
      incidentId: incident.id,
      type: delivery.type,
      channel: delivery.channel,
      person: delivery.person ?? null,
      address: delivery.address ?? null,
      subject: page.email.subject,
      text: page.email.text,
      sms: page.sms,
      payload: https ? (page[delivery.type] as Record<string, unknown>) : null,
      sent,
    };
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    return result.ok && !sent ? { ok: true, detail: 'written to the local outbox' } : result;
  }

  /** The newest entries first. */
  list(limit = 100, incidentId?: string): OutboxEntry[] {
    if (!existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n').filter(Boolean);
    const out: OutboxEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      try {
        const e = JSON.parse(lines[i]!) as OutboxEntry;
        if (!incidentId || e.incidentId === incidentId) out.push(e);
      } catch {
        // torn last line after a kill
      }
    }
    return out;
  }
}
