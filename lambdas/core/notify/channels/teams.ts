/**
 * Channel `teams`: a Microsoft Teams incoming webhook or Workflows trigger, one Adaptive Card. Untrusted text goes
 * only into `TextRun`s of `RichTextBlock`s, which Adaptive Cards never read as Markdown (TextBlock and FactSet
 * would), and Teams cards render no HTML.
 */
import { cleanText, escalationLabel, oneLine, safeUrl, severityLabel, truncate, type PageMessageInput } from '../text';
import { defineChannel } from './types';

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

export const teams = defineChannel({
  type: 'teams',
  displayName: 'Microsoft Teams (incoming webhook or Workflows, Adaptive Card)',
  configShape: {},
  secret: 'url',
  transport: { kind: 'https-json', signing: 'none' },
  rateCap: { default: 30, max: 10_000 },
  render: teamsMessage,
});
