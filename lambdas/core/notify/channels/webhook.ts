/**
 * Channel `webhook`: a generic JSON event (`incident.page`) to any HTTPS endpoint, signed with HMAC-SHA256
 * (`notify/webhook-signature.ts`) so the receiver can check that it came from this pipeline.
 */
import type { Incident } from '../../model/incident';
import { safeUrl, type PageMessageInput } from '../text';
import { defineChannel } from './types';

export interface WebhookPageEvent {
  type: 'incident.page';
  version: 1;
  /** Stable per incident, level and round: receivers can drop redeliveries with it. */
  id: string;
  incident: {
    id: string;
    title: string;
    description: string;
    status: Incident['status'];
    severity: Incident['severity'];
    service: string;
    team: string | null;
    source: Incident['source'];
    tags: Record<string, string>;
    resource: string | null;
    alertCount: number;
    openedAt: string;
    lastSeenAt: string;
  };
  escalation: { level: number; round: number };
  links: { acknowledge: string; resolve: string; source: string | null; console: string | null };
}

export function webhookPayload(input: PageMessageInput): WebhookPageEvent {
  const { incident } = input;
  return {
    type: 'incident.page',
    version: 1,
    id: `${incident.id}/page/${input.level}/${input.round}`,
    incident: {
      id: incident.id,
      title: incident.title,
      description: incident.description,
      status: incident.status,
      severity: incident.severity,
      service: incident.route.service,
      team: incident.route.team,
      source: incident.source,
      tags: { ...incident.tags },
      resource: incident.resource,
      alertCount: incident.alertCount,
      openedAt: incident.openedAt,
      lastSeenAt: incident.lastSeenAt,
    },
    escalation: { level: input.level, round: input.round },
    links: { acknowledge: input.ackUrl, resolve: input.resolveUrl, source: safeUrl(incident.alertUrl), console: safeUrl(input.consoleUrl) },
  };
}

export const webhook = defineChannel({
  type: 'webhook',
  displayName: 'Generic JSON webhook (HMAC-signed)',
  configShape: {},
  secret: 'url-and-hmac-key',
  transport: { kind: 'https-json', signing: 'hmac-sha256' },
  rateCap: { default: 30, max: 10_000 },
  render: (input: PageMessageInput): Record<string, unknown> => webhookPayload(input) as unknown as Record<string, unknown>,
});
