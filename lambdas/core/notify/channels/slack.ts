/**
 * Channel `slack`: a Slack incoming webhook, Block Kit message. Untrusted text: `&`, `<`, `>` become entities (no
 * `<!channel>`, `<@U…>` or `<url|text>` can be injected) and text objects are `verbatim` (no automatic mention or
 * channel parsing); the header is plain text.
 */
import { cleanText, escalationLabel, oneLine, safeUrl, severityLabel, truncate, type PageMessageInput } from '../text';
import { defineChannel } from './types';

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

export const slack = defineChannel({
  type: 'slack',
  displayName: 'Slack (incoming webhook, Block Kit)',
  configShape: {},
  secret: 'url',
  transport: { kind: 'https-json', signing: 'none' },
  rateCap: { default: 30, max: 10_000 },
  render: slackMessage,
});
