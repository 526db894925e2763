/**
 * Rendering a postmortem as Markdown and as a standalone HTML page, pure. Everything that came from outside
 * (alert titles, reasons, people's text) is escaped: in Markdown the characters that would change the structure
 * (a table cell, a link, emphasis, raw HTML), in HTML every `& < > " '`. Section text is shown as written (Markdown)
 * or as escaped preformatted paragraphs (HTML).
 */
import type { Postmortem } from './model';

/** Escapes a one-line value for Markdown (inline text and table cells). */
export function mdInline(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const secs = (n: number | null) => (n === null ? 'n/a' : `${n} s`);

/** The rows of the detection table: label, time, seconds from the previous point. */
function detectionRows(pm: Postmortem): Array<[string, string, string]> {
  const d = pm.facts.detection;
  return [
    ['First raw signal', d.firstSignalAt, ''],
    ['First page', d.firstPageAt ?? 'none', secs(d.signalToPageSeconds)],
    ['First acknowledgement', d.firstAckAt ?? 'none', secs(d.pageToAckSeconds)],
    ['Resolved', d.resolvedAt ?? 'open', secs(d.signalToResolveSeconds)],
  ];
}

export function renderMarkdown(pm: Postmortem): string {
  const f = pm.facts;
  const out: string[] = [];
  out.push(`# Postmortem: ${mdInline(f.incident.title)}`, '');
  out.push(`Incident ${mdInline(f.incident.id)} · service ${mdInline(f.incident.service)} · ${f.incident.severity} · status ${pm.status} · version ${pm.version}`, '');
  for (const s of pm.sections) {
    out.push(`## ${mdInline(s.title)}`, '', s.text.trim() === '' ? '_(empty)_' : s.text.trim(), '');
    if (s.id === 'detection') {
      out.push('| Point | Time | Seconds |', '|---|---|---|', ...detectionRows(pm).map((r) => `| ${r.map(mdInline).join(' | ')} |`));
      if (f.detection.heldBy) out.push('', `The first page was held ${f.detection.heldBy.minutes} minutes by delay rule ${mdInline(f.detection.heldBy.rule)}.`);
      out.push('');
    }
    if (s.id === 'timeline') {
      out.push('| Time | What | Who | Detail |', '|---|---|---|---|', ...f.timeline.map((l) => `| ${mdInline(l.at)} | ${mdInline(l.kind)} | ${mdInline(l.actor)} | ${mdInline(l.text)} |`), '');
      out.push('### Alerts that did not page', '');
      if (f.nonEvents.length === 0) out.push('None in the window.', '');
      else {
        out.push('| Time | Kind | Incident | Rule | Reason |', '|---|---|---|---|---|');
        out.push(...f.nonEvents.map((n) => `| ${mdInline(n.at)} | ${n.kind} | ${mdInline(n.incidentId)} | ${mdInline(n.rule ?? '-')} | ${mdInline(n.reason)}${n.alsoCounted ? ` (+${n.alsoCounted} more)` : ''} |`), '');
      }
      out.push('### Related incidents (previous 30 days)', '');
      out.push(...(f.related.length === 0 ? ['None.'] : f.related.map((r) => `- ${mdInline(r.openedAt)} ${mdInline(r.id)} (${r.match}, ${r.status}): ${mdInline(r.title)}`)), '');
    }
    if (s.id === 'action-items') {
      out.push(...(pm.actionItems.length === 0 ? ['No action items.'] : pm.actionItems.map((a) =>
        `- [${a.done ? 'x' : ' '}] ${mdInline(a.text)} (owner: ${mdInline(a.owner ?? 'unassigned')}, due: ${a.due ?? 'none'})`)), '');
    }
  }
  for (const c of pm.checklists) {
    out.push(`## Checklist: ${mdInline(c.name)}`, '', ...c.items.map((i) => `- [${i.done ? 'x' : ' '}] ${mdInline(i.text)}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const e = escapeHtml;
const table = (head: string[], rows: string[][]) =>
  `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

export function renderHtml(pm: Postmortem): string {
  const f = pm.facts;
  const parts: string[] = [];
  parts.push(`<h1>Postmortem: ${e(f.incident.title)}</h1>`);
  parts.push(`<p>Incident ${e(f.incident.id)} · service ${e(f.incident.service)} · ${e(f.incident.severity)} · status ${e(pm.status)} · version ${pm.version}</p>`);
  for (const s of pm.sections) {
    parts.push(`<h2>${e(s.title)}</h2>`);
    parts.push(s.text.trim() === '' ? '<p><em>(empty)</em></p>' : s.text.trim().split(/\n{2,}/).map((p) => `<p style="white-space:pre-wrap">${e(p)}</p>`).join(''));
    if (s.id === 'detection') {
      parts.push(table(['Point', 'Time', 'Seconds'], detectionRows(pm)));
      if (f.detection.heldBy) parts.push(`<p>The first page was held ${f.detection.heldBy.minutes} minutes by delay rule ${e(f.detection.heldBy.rule)}.</p>`);
    }
    if (s.id === 'timeline') {
      parts.push(table(['Time', 'What', 'Who', 'Detail'], f.timeline.map((l) => [l.at, l.kind, l.actor, l.text])));
      parts.push('<h3>Alerts that did not page</h3>');
      parts.push(f.nonEvents.length === 0 ? '<p>None in the window.</p>'
        : table(['Time', 'Kind', 'Incident', 'Rule', 'Reason'], f.nonEvents.map((n) => [n.at, n.kind, n.incidentId, n.rule ?? '-', `${n.reason}${n.alsoCounted ? ` (+${n.alsoCounted} more)` : ''}`])));
      parts.push('<h3>Related incidents (previous 30 days)</h3>');
      parts.push(f.related.length === 0 ? '<p>None.</p>' : `<ul>${f.related.map((r) => `<li>${e(`${r.openedAt} ${r.id} (${r.match}, ${r.status}): ${r.title}`)}</li>`).join('')}</ul>`);
    }
    if (s.id === 'action-items') {
      parts.push(pm.actionItems.length === 0 ? '<p>No action items.</p>'
        : table(['Done', 'Action', 'Owner', 'Due'], pm.actionItems.map((a) => [a.done ? 'yes' : 'no', a.text, a.owner ?? 'unassigned', a.due ?? 'none'])));
    }
  }
  for (const c of pm.checklists) {
    parts.push(`<h2>Checklist: ${e(c.name)}</h2><ul>${c.items.map((i) => `<li>${i.done ? '[x]' : '[ ]'} ${e(i.text)}</li>`).join('')}</ul>`);
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Postmortem: ${e(f.incident.title)}</title></head><body>\n${parts.join('\n')}\n</body></html>\n`;
}
