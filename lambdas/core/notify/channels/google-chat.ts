/**
 * Channel `google-chat`: a Google Chat incoming webhook (`POST` of JSON to the space's webhook URL, which is the
 * channel's secret). The message is one card (cards v2): a header with severity and title, a section of facts
 * (service, source, alert count, opened), the description, and `openLink` buttons to the signed acknowledge and
 * resolve links, the alert at the source and the console. A fallback `text` is what notifications show.
 *
 * Untrusted text: card text widgets read a subset of HTML (`<a>`, `<b>`, `<font>`...), so `&`, `<` and `>` become
 * entities there; the header and the fallback text (where Chat reads `<users/all>` mentions and `<url|text>` links)
 * get `‹` and `›` instead of angle brackets. Control characters are removed everywhere. Chat takes about one
 * message a second per space, hence the rate cap of at most 60 a minute.
 */
import { cleanText, escalationLabel, oneLine, safeUrl, severityLabel, truncate, type PageMessageInput } from '../text';
import { defineChannel } from './types';

/** Card text (HTML subset): the three characters that start markup or an entity become entities. */
function chatHtml(raw: string, max: number): string {
  return truncate(cleanText(raw), max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text where Chat may parse `<...>` (mentions, links): one line, angle brackets replaced. */
function chatPlain(raw: string, max: number): string {
  return truncate(oneLine(raw).replace(/</g, '‹').replace(/>/g, '›'), max);
}

const openLink = (text: string, url: string) => ({ text, onClick: { openLink: { url } } });
const fact = (label: string, value: string) => ({ decoratedText: { topLabel: label, text: chatHtml(value, 500) || '-', wrapText: true } });

export function googleChatMessage(input: PageMessageInput): Record<string, unknown> {
  const { incident } = input;
  const sev = severityLabel(incident);
  const buttons = [openLink('Acknowledge', input.ackUrl), openLink('Resolve', input.resolveUrl)];
  const source = safeUrl(incident.alertUrl);
  if (source) buttons.push(openLink('View alert at the source', source));
  const console = safeUrl(input.consoleUrl);
  if (console) buttons.push(openLink('Open in console', console));
  const description = cleanText(incident.description).trim();
  const sections: Array<Record<string, unknown>> = [
    {
      widgets: [
        fact('Service', incident.route.service),
        fact('Source', incident.source),
        fact('Alerts', String(incident.alertCount)),
        fact('Opened', incident.openedAt),
      ],
    },
  ];
  if (description) sections.push({ header: 'Description', widgets: [{ textParagraph: { text: chatHtml(description, 4000) } }] });
  sections.push({ widgets: [{ buttonList: { buttons } }] });
  return {
    text: chatPlain(`${sev}: ${incident.title} (${incident.route.service})`, 300),
    cardsV2: [
      {
        cardId: `${incident.id}-page-${input.level}-${input.round}`,
        card: {
          header: {
            title: chatPlain(`${sev} · ${incident.title}`, 200) || sev,
            subtitle: chatPlain(`${incident.route.service} · ${escalationLabel(input.level, input.round)}`, 200),
          },
          sections,
        },
      },
    ],
  };
}

export const googleChat = defineChannel({
  type: 'google-chat',
  displayName: 'Google Chat (incoming webhook, cards v2)',
  configShape: {},
  secret: 'url',
  transport: { kind: 'https-json', signing: 'none' },
  rateCap: { default: 30, max: 60 },
  render: googleChatMessage,
});
