/**
 * Rendering a postmortem as Markdown and as a standalone HTML page, pure. Everything that came from outside
 * (alert titles, reasons, people's text) is escaped: in Markdown the characters that would change the structure
 * (a table cell, a link, emphasis, raw HTML), in HTML every interpolated value (the shared renderer, core/html.ts).
 * Section text is shown as written (Markdown) or as escaped preformatted paragraphs (HTML).
 */
import { html, type Html } from '../html';
import type { Postmortem } from './model';

/** Escapes a one-line value for Markdown (inline text and table cells). */
export function mdInline(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`);
}

const after = (n: number | null, point: string) => (n === null ? '' : `${n} s after the ${point}`);

/** The rows of the detection table: point, time, and how long after the point before it (or the first signal). */
function detectionRows(pm: Postmortem): Array<[string, string, string]> {
  const d = pm.facts.detection;
  return [
    ['First raw signal', d.firstSignalAt, ''],
    ['First page', d.firstPageAt ?? 'none', after(d.signalToPageSeconds, 'signal')],
    ['First acknowledgement', d.firstAckAt ?? 'none', after(d.pageToAckSeconds, 'page')],
    ['Resolved', d.resolvedAt ?? 'open', after(d.signalToResolveSeconds, 'signal')],
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
      out.push('| Point | Time | Elapsed |', '|---|---|---|', ...detectionRows(pm).map((r) => `| ${r.map(mdInline).join(' | ')} |`));
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

const table = (head: string[], rows: string[][]): Html =>
  html`<table><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table>`;

/** The sections' drafted parts (detection table, timeline with non-events and related incidents, action items). */
function drafted(pm: Postmortem, id: string): Html | null {
  const f = pm.facts;
  if (id === 'detection') {
    return html`${table(['Point', 'Time', 'Elapsed'], detectionRows(pm))}${f.detection.heldBy ? html`<p>The first page was held ${f.detection.heldBy.minutes} minutes by delay rule ${f.detection.heldBy.rule}.</p>` : null}`;
  }
  if (id === 'timeline') {
    const nonEvents = f.nonEvents.map((n) => [n.at, n.kind, n.incidentId, n.rule ?? '-', `${n.reason}${n.alsoCounted ? ` (+${n.alsoCounted} more)` : ''}`]);
    return html`${table(['Time', 'What', 'Who', 'Detail'], f.timeline.map((l) => [l.at, l.kind, l.actor, l.text]))}
<h3>Alerts that did not page</h3>${nonEvents.length === 0 ? html`<p>None in the window.</p>` : table(['Time', 'Kind', 'Incident', 'Rule', 'Reason'], nonEvents)}
<h3>Related incidents (previous 30 days)</h3>${f.related.length === 0 ? html`<p>None.</p>` : html`<ul>${f.related.map((r) => html`<li>${`${r.openedAt} ${r.id} (${r.match}, ${r.status}): ${r.title}`}</li>`)}</ul>`}`;
  }
  if (id === 'action-items') {
    return pm.actionItems.length === 0 ? html`<p>No action items.</p>`
      : table(['Done', 'Action', 'Owner', 'Due'], pm.actionItems.map((a) => [a.done ? 'yes' : 'no', a.text, a.owner ?? 'unassigned', a.due ?? 'none']));
  }
  return null;
}

/** A standalone HTML page; every value is escaped by the shared renderer (core/html.ts). */
export function renderHtml(pm: Postmortem): string {
  const f = pm.facts;
  const sections = pm.sections.map((s) => html`<h2>${s.title}</h2>
${s.text.trim() === '' ? html`<p><em>(empty)</em></p>` : s.text.trim().split(/\n{2,}/).map((p) => html`<p style="white-space:pre-wrap">${p}</p>`)}
${drafted(pm, s.id)}`);
  const checklists = pm.checklists.map((c) => html`<h2>Checklist: ${c.name}</h2><ul>${c.items.map((i) => html`<li>${i.done ? '[x]' : '[ ]'} ${i.text}</li>`)}</ul>`);
  return `${html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Postmortem: ${f.incident.title}</title></head><body>
<h1>Postmortem: ${f.incident.title}</h1>
<p>Incident ${f.incident.id} · service ${f.incident.service} · ${f.incident.severity} · status ${pm.status} · version ${pm.version}</p>
${sections}
${checklists}
</body></html>`}\n`;
}
