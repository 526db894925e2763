/** The Google Chat renderer: a cardsV2 message an incoming webhook accepts, with untrusted text neutralized. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Incident } from '../../../lambdas/core/model/incident';
import { CHANNELS } from '../../../lambdas/core/notify/channels';
import type { PageMessageInput } from '../../../lambdas/core/notify/text';

const ACK = 'https://api.example.com/act/ack-token';
const RES = 'https://api.example.com/act/res-token';
const ALERT_URL = 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/checkout-5xx-rate';

function input(over: Partial<Incident> = {}, extra: Partial<PageMessageInput> = {}): PageMessageInput {
  const incident = {
    id: 'inc-0123456789abcdef0123-1', status: 'triggered', title: 'ALARM: checkout-5xx-rate', description: 'Threshold crossed: 12.5 > 5',
    source: 'cloudwatch', severity: 'sev1', tags: {}, route: { service: 'checkout', team: 'platform', escalationPolicy: null, rule: 'default' },
    alertUrl: ALERT_URL, resource: 'checkout-5xx-rate', openedAt: '2024-06-10T14:03:12.345Z', lastSeenAt: '2024-06-10T14:05:00.000Z', alertCount: 3, ...over,
  } as Partial<Incident>;
  return { incident: incident as Incident, level: 1, round: 0, ackUrl: ACK, resolveUrl: RES, ...extra };
}

const WIDGETS = ['textParagraph', 'decoratedText', 'buttonList', 'divider', 'image', 'columns', 'grid'];
const TEXT_LIMIT = 4096; // characters of a message's text
const MESSAGE_BYTES = 32_000; // a whole message
const WIDGETS_PER_CARD = 100;

/**
 * The problems Google Chat would reject or silently drop in an incoming-webhook message (cards v2 reference): an
 * empty result means the message is well-formed.
 */
function chatProblems(message: unknown): string[] {
  const out: string[] = [];
  const m = message as Record<string, unknown>;
  if (!m || typeof m !== 'object') return ['message is not an object'];
  for (const k of Object.keys(m)) if (!['text', 'cardsV2', 'thread'].includes(k)) out.push(`unknown message field ${k}`);
  if (m.text !== undefined && (typeof m.text !== 'string' || m.text.length > TEXT_LIMIT)) out.push('text must be a string of at most 4096 characters');
  if (Buffer.byteLength(JSON.stringify(m)) > MESSAGE_BYTES) out.push('message over 32,000 bytes');
  const cards = m.cardsV2 as Array<Record<string, unknown>>;
  if (!Array.isArray(cards) || cards.length === 0) return [...out, 'cardsV2 must be a non-empty array'];
  cards.forEach((entry, i) => {
    if (typeof entry.cardId !== 'string' || !entry.cardId) out.push(`cardsV2[${i}].cardId is required`);
    const card = entry.card as { header?: { title?: unknown }; sections?: Array<{ widgets?: Array<Record<string, unknown>> }> };
    if (!card || typeof card !== 'object') return void out.push(`cardsV2[${i}].card is required`);
    if (card.header && (typeof card.header.title !== 'string' || !card.header.title)) out.push(`cardsV2[${i}].card.header.title is required`);
    if (!Array.isArray(card.sections) || card.sections.length === 0) return void out.push(`cardsV2[${i}].card.sections must be non-empty`);
    let widgets = 0;
    card.sections.forEach((section, j) => {
      const at = `cardsV2[${i}].card.sections[${j}]`;
      if (!Array.isArray(section.widgets) || section.widgets.length === 0) return void out.push(`${at}.widgets must be non-empty`);
      section.widgets.forEach((w, k) => {
        widgets++;
        const kinds = Object.keys(w).filter((key) => WIDGETS.includes(key));
        if (kinds.length !== 1) return void out.push(`${at}.widgets[${k}] must be exactly one widget (${Object.keys(w).join(', ')})`);
        const body = w[kinds[0]!] as Record<string, unknown>;
        if ((kinds[0] === 'textParagraph' || kinds[0] === 'decoratedText') && (typeof body.text !== 'string' || !body.text)) out.push(`${at}.widgets[${k}].${kinds[0]}.text is required`);
        if (kinds[0] === 'buttonList') {
          const buttons = body.buttons as Array<{ text?: unknown; onClick?: { openLink?: { url?: unknown } } }>;
          if (!Array.isArray(buttons) || buttons.length === 0) out.push(`${at}.widgets[${k}].buttonList.buttons must be non-empty`);
          for (const b of buttons ?? []) {
            if (typeof b.text !== 'string' || !b.text) out.push(`${at} a button needs text`);
            const url = b.onClick?.openLink?.url;
            if (typeof url !== 'string' || !/^https?:\/\//.test(url)) out.push(`${at} button ${String(b.text)} needs onClick.openLink.url`);
          }
        }
      });
    });
    if (widgets > WIDGETS_PER_CARD) out.push(`cardsV2[${i}] has ${widgets} widgets (at most ${WIDGETS_PER_CARD} are shown)`);
  });
  return out;
}

type ChatMessage = { text: string; cardsV2: Array<{ cardId: string; card: { header: { title: string; subtitle: string }; sections: Array<{ header?: string; widgets: Array<Record<string, any>> }> } }> };
const render = (i: PageMessageInput) => CHANNELS['google-chat'].render(i) as unknown as ChatMessage;
const widgets = (m: ChatMessage) => m.cardsV2[0]!.card.sections.flatMap((s) => s.widgets);
const buttons = (m: ChatMessage) => widgets(m).flatMap((w) => w.buttonList?.buttons ?? []) as Array<{ text: string; onClick: { openLink: { url: string } } }>;
const facts = (m: ChatMessage) => Object.fromEntries(widgets(m).filter((w) => w.decoratedText).map((w) => [w.decoratedText.topLabel, w.decoratedText.text]));

describe('google-chat channel', () => {
  it('is an https-json channel whose secret is the webhook URL, capped under one message a second', () => {
    const d = CHANNELS['google-chat'];
    expect(d.transport).toEqual({ kind: 'https-json', signing: 'none' });
    expect(d.secret).toBe('url');
    expect(d.rateCap.max).toBeLessThanOrEqual(60);
  });

  it('renders a well-formed cardsV2 message, as in the fixture', () => {
    const m = render(input({}, { consoleUrl: 'https://console.example.com/incidents/inc-1' }));
    expect(chatProblems(m)).toEqual([]);
    expect(m).toEqual(JSON.parse(readFileSync(join(__dirname, '../../fixtures/channels/google-chat.expected.json'), 'utf8')));
  });

  it('has a header with severity and title, facts for service, source and alert count, and a fallback text', () => {
    const m = render(input());
    expect(m.text).toBe('SEV1: ALARM: checkout-5xx-rate (checkout)');
    expect(m.cardsV2[0]!.cardId).toBe('inc-0123456789abcdef0123-1-page-1-0');
    expect(m.cardsV2[0]!.card.header).toEqual({ title: 'SEV1 · ALARM: checkout-5xx-rate', subtitle: 'checkout · escalation level 2, round 1' });
    expect(facts(m)).toMatchObject({ Service: 'checkout', Source: 'cloudwatch', Alerts: '3', Opened: '2024-06-10T14:03:12.345Z' });
    expect(widgets(m).some((w) => w.textParagraph?.text === 'Threshold crossed: 12.5 &gt; 5')).toBe(true);
  });

  it('opens the signed acknowledge and resolve links, the alert at the source and the console with openLink buttons', () => {
    const m = render(input({}, { consoleUrl: 'https://console.example.com/incidents/inc-1' }));
    expect(buttons(m).map((b) => [b.text, b.onClick.openLink.url])).toEqual([
      ['Acknowledge', ACK],
      ['Resolve', RES],
      ['View alert at the source', ALERT_URL],
      ['Open in console', 'https://console.example.com/incidents/inc-1'],
    ]);
  });

  it('leaves out a source link that is not http(s), and the description section when there is none', () => {
    const m = render(input({ alertUrl: 'javascript:alert(1)', description: '  ' }));
    expect(buttons(m).map((b) => b.text)).toEqual(['Acknowledge', 'Resolve']);
    expect(widgets(m).some((w) => w.textParagraph)).toBe(false);
    expect(chatProblems(m)).toEqual([]);
  });

  it('cannot mention everyone, inject links or markup through untrusted text', () => {
    const m = render(input({
      title: '<users/all> <https://evil.example|click> <a href="https://evil.example">x</a>\u0007',
      description: '<users/all> <font color="#ff0000">red</font> & <b>bold</b>',
      route: { service: 'svc<users/all>', team: null, escalationPolicy: null, rule: 'r' },
    }));
    const json = JSON.stringify(m);
    expect(json).not.toMatch(/<users\/|<a |<font|<b>|<https/);
    expect(json).not.toContain('\u0007');
    expect(facts(m).Service).toBe('svc&lt;users/all&gt;');
    expect(widgets(m).find((w) => w.textParagraph)!.textParagraph.text).toBe('&lt;users/all&gt; &lt;font color="#ff0000"&gt;red&lt;/font&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(chatProblems(m)).toEqual([]);
  });

  it('stays within Chat limits for huge texts', () => {
    const m = render(input({ title: 'T'.repeat(10_000), description: 'D'.repeat(100_000), route: { service: 'S'.repeat(64), team: null, escalationPolicy: null, rule: 'r' } }));
    expect(chatProblems(m)).toEqual([]);
    expect(m.cardsV2[0]!.card.header.title.length).toBeLessThanOrEqual(200);
  });
});
