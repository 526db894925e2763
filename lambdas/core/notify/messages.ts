/**
 * Stage "notify", second half: the page as each channel type wants it (Slack Block Kit, a Teams Adaptive Card, a
 * signed JSON webhook, email, SMS). Pure: the incident and the signed links (notify/action-links.ts) come in; the
 * notifier adapters only send.
 *
 * Incident text comes from alert sources and is untrusted, so each format escapes it its own way:
 * - Slack: `&`, `<`, `>` become entities (no `<!channel>`, `<@U…>` or `<url|text>` can be injected) and untrusted
 *   text objects are `verbatim` (no automatic mention or channel parsing); the header is plain text.
 * - Teams: untrusted text goes only into `TextRun`s of `RichTextBlock`s, which Adaptive Cards never read as
 *   Markdown (TextBlock and FactSet would), and Teams cards render no HTML.
 * - Email: plain text, plus an HTML part with every value HTML-escaped; the subject has no line breaks (no header
 *   injection).
 * - Everywhere: control characters are removed, and a source link is used only when it is http(s).
 */
import type { Incident } from '../model/incident';

export { signWebhook, verifyWebhookSignature, TIMESTAMP_HEADER, SIGNATURE_HEADER, type WebhookSignatureCheck } from './webhook-signature';

export interface PageMessageInput {
  incident: Incident;
  /** Escalation level and round as `stepAt` numbers them (0-based); messages show them 1-based. */
  level: number;
  round: number;
  /** Signed one-click links (`/act/<token>`). */
  ackUrl: string;
  resolveUrl: string;
  /** The incident in the web console, when there is one. */
  consoleUrl?: string;
  /** A short acknowledge link for SMS (e.g. from a link shortener); `ackUrl` otherwise. */
  shortAckUrl?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

/** Removes control characters (keeps newline and tab) and normalizes line endings. */
export function cleanText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '');
}

/** One line: control characters and line breaks become single spaces. */
function oneLine(value: string): string {
  return cleanText(value).replace(/\s+/g, ' ').trim();
}

/** Shortens to at most `max` characters (code points), ending with `ellipsis` when cut. */
export function truncate(value: string, max: number, ellipsis = '…'): string {
  const chars = [...value];
  if (chars.length <= max) return value;
  const keep = Math.max(0, max - [...ellipsis].length);
  return chars.slice(0, keep).join('') + ellipsis;
}

/** The URL if it is an absolute http(s) URL of sane length, else null (no `javascript:` links from a payload). */
export function safeUrl(url: string | null | undefined, maxLength = 3000): string | null {
  if (!url || url.length > maxLength) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

function severityLabel(incident: Incident): string {
  return incident.severity.toUpperCase();
}

function alertsLabel(n: number): string {
  return n === 1 ? '1 alert' : `${n} alerts`;
}

function escalationLabel(level: number, round: number): string {
  return `escalation level ${level + 1}, round ${round + 1}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Slack (Block Kit, for chat.postMessage or an incoming webhook)

/** Escapes text for Slack mrkdwn: the three control characters Slack asks to escape. */
export function escapeSlack(value: string): string {
  return cleanText(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

/** Escaped and at most `max` characters long, cut between characters (never inside an entity), `…` when cut. */
function slackText(raw: string, max: number): string {
  const escaped = [...cleanText(raw)].map((ch) => escapeSlack(ch));
  if (escaped.reduce((n, e) => n + e.length, 0) <= max) return escaped.join('');
  let out = '';
  for (const e of escaped) {
    if (out.length + e.length > max - 1) break;
    out += e;
  }
  return `${out}…`;
}

/**
 * A Slack message: header (severity and title), facts (service, source, alert count, opened), the description,
 * URL buttons Acknowledge / Resolve / View alert at the source / Open in console, and a context line.
 */
export function slackMessage(input: PageMessageInput): { text: string; blocks: Array<Record<string, unknown>> } {
  const { incident } = input;
  const sev = severityLabel(incident);
  const openedSec = Math.floor(Date.parse(incident.openedAt) / 1000);
  const opened = Number.isFinite(openedSec) ? `<!date^${openedSec}^{date_short_pretty} {time}|${escapeSlack(incident.openedAt)}>` : escapeSlack(incident.openedAt);
  const buttons: Array<Record<string, unknown>> = [
    { type: 'button', action_id: 'acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', url: input.ackUrl },
    { type: 'button', action_id: 'resolve', text: { type: 'plain_text', text: 'Resolve' }, url: input.resolveUrl },
  ];
  const source = safeUrl(incident.alertUrl);
  if (source) buttons.push({ type: 'button', action_id: 'view-alert', text: { type: 'plain_text', text: `View alert in ${truncate(incident.source, 40)}` }, url: source });
  const console = safeUrl(input.consoleUrl);
  if (console) buttons.push({ type: 'button', action_id: 'open-console', text: { type: 'plain_text', text: 'Open in console' }, url: console });
  const description = cleanText(incident.description).trim();
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: truncate(oneLine(`${sev} · ${incident.title}`), 150) || sev } },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Service*\n${slackText(incident.route.service, 200)}`),
        mrkdwn(`*Source*\n${escapeSlack(incident.source)}`),
        mrkdwn(`*Alerts*\n${incident.alertCount}`),
        mrkdwn(`*Opened*\n${opened}`),
      ],
    },
  ];
  if (description) blocks.push({ type: 'section', text: mrkdwn(slackText(description, 3000)) });
  blocks.push(
    { type: 'actions', block_id: `incident-actions`, elements: buttons },
    { type: 'context', elements: [mrkdwn(`Incident ${escapeSlack(incident.id)} · ${escalationLabel(input.level, input.round)}`)] },
  );
  return { text: slackText(oneLine(`${sev}: ${incident.title} (${incident.route.service})`), 300), blocks };
}

// ---------------------------------------------------------------------------------------------------------------
// Microsoft Teams (a message with one Adaptive Card attachment, for an incoming webhook or a Workflows trigger)

/** A RichTextBlock of TextRuns: rendered literally (TextRun text is never Markdown). */
function richText(runs: Array<{ text: string; weight?: 'Bolder'; color?: string }>, extra: Record<string, unknown> = {}) {
  return { type: 'RichTextBlock', inlines: runs.map((r) => ({ type: 'TextRun', ...r, text: cleanText(r.text) })), ...extra };
}

export function teamsMessage(input: PageMessageInput): Record<string, unknown> {
  const { incident } = input;
  const sev = severityLabel(incident);
  const actions: Array<Record<string, unknown>> = [
    { type: 'Action.OpenUrl', title: 'Acknowledge', url: input.ackUrl, style: 'positive' },
    { type: 'Action.OpenUrl', title: 'Resolve', url: input.resolveUrl },
  ];
  const source = safeUrl(incident.alertUrl);
  if (source) actions.push({ type: 'Action.OpenUrl', title: 'View alert at the source', url: source });
  const console = safeUrl(input.consoleUrl);
  if (console) actions.push({ type: 'Action.OpenUrl', title: 'Open in console', url: console });
  const fact = (label: string, value: string) => richText([{ text: `${label}: `, weight: 'Bolder' }, { text: value }], { spacing: 'None' });
  const description = cleanText(incident.description).trim();
  const body: Array<Record<string, unknown>> = [
    richText([{ text: `${sev} `, weight: 'Bolder', color: incident.severity === 'sev1' ? 'Attention' : 'Warning' }, { text: truncate(oneLine(incident.title), 300), weight: 'Bolder' }]),
    fact('Service', incident.route.service),
    fact('Source', incident.source),
    fact('Alerts', String(incident.alertCount)),
    fact('Opened', incident.openedAt),
  ];
  if (description) body.push(richText([{ text: truncate(description, 3000) }], { separator: true }));
  body.push(richText([{ text: `Incident ${incident.id} · ${escalationLabel(input.level, input.round)}` }], { spacing: 'Medium' }));
  return {
    type: 'message',
    summary: truncate(oneLine(`${sev}: ${incident.title}`), 200),
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          actions,
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Generic webhook (JSON; sign the serialized body with signWebhook)

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

// ---------------------------------------------------------------------------------------------------------------
// Email

export function escapeHtml(value: string): string {
  return cleanText(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Subject, plain text body and an HTML body (every value escaped). */
export function emailMessage(input: PageMessageInput): { subject: string; text: string; html: string } {
  const { incident } = input;
  const sev = severityLabel(incident);
  const subject = truncate(oneLine(`[${sev}] ${incident.title} (${incident.route.service})`), 200);
  const source = safeUrl(incident.alertUrl);
  const console = safeUrl(input.consoleUrl);
  const facts: Array<[string, string]> = [
    ['Severity', sev],
    ['Service', incident.route.service + (incident.route.team ? ` (team ${incident.route.team})` : '')],
    ['Source', incident.source],
    ['Alerts', String(incident.alertCount)],
    ['Opened', incident.openedAt],
    ['Incident', incident.id],
    ['Escalation', escalationLabel(input.level, input.round)],
  ];
  const links: Array<[string, string]> = [
    ['Acknowledge', input.ackUrl],
    ['Resolve', input.resolveUrl],
    ...(source ? [['Alert at the source', source] as [string, string]] : []),
    ...(console ? [['Console', console] as [string, string]] : []),
  ];
  const description = cleanText(incident.description).trim();
  const text = [
    oneLine(incident.title),
    '',
    ...facts.map(([k, v]) => `${`${k}:`.padEnd(12)}${oneLine(v)}`),
    '',
    ...(description ? [description, ''] : []),
    ...links.map(([k, v]) => `${k}: ${v}`),
    '',
    'The Acknowledge and Resolve links work once and expire.',
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<h2>${escapeHtml(`${sev}: ${oneLine(incident.title)}`)}</h2>`,
    '<table>',
    ...facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    description ? `<pre style="white-space:pre-wrap">${escapeHtml(description)}</pre>` : '',
    '<p>',
    links.map(([k, v]) => `<a href="${escapeHtml(v)}">${escapeHtml(k)}</a>`).join(' · '),
    '</p>',
    '<p><small>The Acknowledge and Resolve links work once and expire.</small></p>',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

// ---------------------------------------------------------------------------------------------------------------
// SMS

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

/**
 * Length of a text in SMS units: GSM-7 septets (extension characters count twice) when every character is in the
 * GSM-7 alphabet, else UTF-16 code units (UCS-2), with the single-message limit of each (160 or 70).
 */
export function smsLength(text: string): { encoding: 'gsm7' | 'ucs2'; units: number; limit: 160 | 70 } {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else return { encoding: 'ucs2', units: text.length, limit: 70 };
  }
  return { encoding: 'gsm7', units: septets, limit: 160 };
}

/**
 * One SMS: `SEV1 checkout: <title> (3 alerts) Ack: <link>`. The title is shortened so that the whole text fits one
 * message (160 GSM-7 characters, or 70 when the title needs Unicode); the link is never shortened, so with a long
 * `ackUrl` and no `shortAckUrl` the text may take two messages.
 */
export function smsMessage(input: PageMessageInput): string {
  const { incident } = input;
  const link = input.shortAckUrl ?? input.ackUrl;
  const head = `${severityLabel(incident)} ${oneLine(truncate(incident.route.service, 40, '...'))}: `;
  const tail = `${incident.alertCount > 1 ? ` (${alertsLabel(incident.alertCount)})` : ''} Ack: ${link}`;
  const title = oneLine(incident.title);
  const compose = (t: string) => `${head}${t}${tail}`;
  const full = compose(title);
  const measured = smsLength(full);
  if (measured.units <= measured.limit) return full;
  // Shorten the title until it fits; give up (and send a longer text) below a useful length.
  const chars = [...title];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const candidate = compose(truncate(title, mid, '...'));
    const m = smsLength(candidate);
    if (m.units <= m.limit) lo = mid;
    else hi = mid - 1;
  }
  return lo >= 10 ? compose(truncate(title, lo, '...')) : compose(truncate(title, 40, '...'));
}
