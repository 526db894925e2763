/**
 * Channel `sms`: one text message through SNS, sized to fit one SMS (GSM-7 or UCS-2), with the acknowledge link.
 */
import { alertsLabel, oneLine, severityLabel, truncate, type PageMessageInput } from '../text';
import { defineChannel } from './types';

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

export const sms = defineChannel({
  type: 'sms',
  displayName: 'SMS (SNS to the phone number)',
  configShape: {},
  secret: null,
  transport: { kind: 'sns', to: 'phone-number' },
  rateCap: { default: 10, max: 1000 },
  render: smsMessage,
});
