/**
 * Channel `email`: plain text plus an HTML part with every value HTML-escaped, sent through SNS (the person's email
 * topic); the subject has no line breaks (no header injection).
 */
import { cleanText, escalationLabel, escapeHtml, oneLine, safeUrl, severityLabel, truncate, type PageMessageInput } from '../text';
import { defineChannel } from './types';

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

export const email = defineChannel({
  type: 'email',
  displayName: 'Email (SNS email topic per person)',
  configShape: {},
  secret: null,
  transport: { kind: 'sns', to: 'email-topic' },
  rateCap: { default: 30, max: 10_000 },
  render: emailMessage,
});
