import { BadRequestError, ConflictError } from '../../../lambdas/core/errors';
import { DEFAULT_TEMPLATE } from '../../../lambdas/core/postmortem/config';
import { draftPostmortem, nonEventWindow } from '../../../lambdas/core/postmortem/draft';
import { applyPatch, publish, reopen } from '../../../lambdas/core/postmortem/edit';
import { renderHtml, renderMarkdown } from '../../../lambdas/core/postmortem/render';
import { incident, main, mainAlerts, mainTimeline, suppressed, suppressedAlerts } from './fixtures';

const NOW = '2026-11-20T12:00:00.000Z';
const base = () => draftPostmortem({
  incident: main, timeline: mainTimeline, alerts: mainAlerts, neighbours: [{ incident: suppressed, alerts: suppressedAlerts }], related: [],
  template: { ...DEFAULT_TEMPLATE, checklists: ['release'] }, checklists: [{ name: 'release', items: ['Runbook updated'] }],
  window: nonEventWindow(main, 60, NOW), nowIso: NOW, by: 'alice',
});
const thrown = (run: () => unknown): Error => {
  try { run(); } catch (err) { return err as Error; }
  throw new Error('expected a throw');
};

describe('postmortem edits', () => {
  it('edits sections, checklist items and action items, one version per edit with its author', () => {
    const v2 = applyPatch(base(), { version: 1, sections: { summary: 'Checkout failed for 40 minutes.' }, checklists: { release: { '1': true } } }, '2026-11-20T12:01:00.000Z', 'bob');
    const v3 = applyPatch(v2, { version: 2, actionItems: [{ text: 'Alarm on canary errors', owner: 'carol', due: '2026-12-01', done: false }] }, '2026-11-20T12:02:00.000Z', 'carol');
    const v4 = applyPatch(v3, { version: 3, actionItems: [{ id: '1', text: 'Alarm on canary errors', owner: 'carol', due: '2026-12-01', done: true }, { text: 'Runbook', done: false }] }, '2026-11-20T12:03:00.000Z', 'carol');
    expect(v4.sections.find((s) => s.id === 'summary')!.text).toBe('Checkout failed for 40 minutes.');
    expect(v4.checklists[0]!.items[0]!.done).toBe(true);
    expect(v4.actionItems).toEqual([
      { id: '1', text: 'Alarm on canary errors', owner: 'carol', due: '2026-12-01', done: true },
      { id: '2', text: 'Runbook', owner: null, due: null, done: false },
    ]);
    expect(v4.history.map((h) => [h.version, h.by, h.changes])).toEqual([
      [1, 'alice', ['created']], [2, 'bob', ['sections.summary', 'checklists.release']], [3, 'carol', ['actionItems']], [4, 'carol', ['actionItems']],
    ]);
  });

  it.each([
    ['a stale version', { version: 7, sections: { summary: 'x' } }, ConflictError, 'is at version 1, not 7'],
    ['an unknown section', { version: 1, sections: { rootcause: 'x' } }, BadRequestError, 'sections.rootcause: unknown section "rootcause"'],
    ['an unknown checklist', { version: 1, checklists: { deploy: { '1': true } } }, BadRequestError, 'checklists.deploy: unknown checklist'],
    ['an unknown checklist item', { version: 1, checklists: { release: { '9': true } } }, BadRequestError, 'checklists.release.9: unknown item'],
    ['an unknown action item id', { version: 1, actionItems: [{ id: '5', text: 'x', done: false }] }, BadRequestError, 'actionItems[0].id'],
    ['nothing to change', { version: 1 }, BadRequestError, 'nothing to change'],
  ])('refuses %s', (_name, patch, kind, message) => {
    const err = thrown(() => applyPatch(base(), patch, NOW, 'bob'));
    expect(err).toBeInstanceOf(kind);
    expect(err.message).toContain(message);
  });

  it('goes draft -> in_review -> published; a second publish and an edit of a published postmortem are conflicts; reopen allows edits again', () => {
    const draft = base();
    expect(thrown(() => publish(draft, 1, NOW, 'bob')).message).toContain('set status in_review');
    const review = applyPatch(draft, { version: 1, status: 'in_review' }, NOW, 'bob');
    const published = publish(review, 2, NOW, 'bob');
    expect([published.status, published.version, published.published]).toEqual(['published', 3, { at: NOW, by: 'bob', version: 3, markdownKey: 'postmortems/inc-main/v3.md', htmlKey: 'postmortems/inc-main/v3.html' }]);
    expect(thrown(() => publish(published, 3, NOW, 'bob'))).toBeInstanceOf(ConflictError);
    expect(thrown(() => applyPatch(published, { version: 3, sections: { summary: 'x' } }, NOW, 'bob')).message).toContain('reopen it before editing');
    const reopened = reopen(published, 3, NOW, 'bob');
    expect([reopened.status, reopened.version]).toEqual(['draft', 4]);
    expect(applyPatch(reopened, { version: 4, sections: { summary: 'x' } }, NOW, 'bob').version).toBe(5);
  });
});

describe('postmortem rendering', () => {
  const hostile = '<script>alert(1)</script> | [x](javascript:y) **b**';
  const pm = () => {
    const p = draftPostmortem({
      incident: incident('inc-h', { title: hostile }), timeline: [], alerts: [], neighbours: [{ incident: suppressed, alerts: suppressedAlerts }], related: [],
      template: DEFAULT_TEMPLATE, checklists: [], window: { from: '2026-11-20T09:00:00.000Z', to: '2026-11-20T11:00:00.000Z' }, nowIso: NOW, by: 'a',
    });
    return applyPatch(p, { version: 1, sections: { summary: `Text with ${hostile}` }, actionItems: [{ text: hostile, owner: '<b>', done: false }] }, NOW, 'a');
  };

  it('escapes everything in HTML', () => {
    const html = renderHtml(pm());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('suppression rule &quot;checkout-canary&quot; matched: canary noise');
  });

  it('escapes untrusted one-line values in Markdown and lists the non-events with their rules', () => {
    const md = renderMarkdown(pm());
    expect(md).toContain('# Postmortem: \\<script\\>alert\\(1\\)\\</script\\> \\| \\[x\\]\\(javascript:y\\) \\*\\*b\\*\\*');
    expect(md).toContain('| inc-canary | checkout-canary | suppression rule "checkout-canary" matched: canary noise |');
    expect(md).toContain('- [ ] \\<script\\>');
  });
});
