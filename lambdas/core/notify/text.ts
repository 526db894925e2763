/**
 * What every channel renderer (notify/channels/*) shares: the input of a page and the text helpers. Incident text
 * comes from alert sources and is untrusted: control characters are removed, and a source link is used only when it
 * is http(s). Each channel escapes the rest its own way (see its module).
 */
import type { Incident } from '../model/incident';

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

/** Removes control characters (keeps newline and tab) and normalizes line endings. */
export function cleanText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '');
}

/** One line: control characters and line breaks become single spaces. */
export function oneLine(value: string): string {
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

/** Escapes text for HTML (email bodies, Google Chat card text). */
export function escapeHtml(value: string): string {
  return cleanText(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function severityLabel(incident: Incident): string {
  return incident.severity.toUpperCase();
}

export function alertsLabel(n: number): string {
  return n === 1 ? '1 alert' : `${n} alerts`;
}

export function escalationLabel(level: number, round: number): string {
  return `escalation level ${level + 1}, round ${round + 1}`;
}
