/** The console's UI logic (web/src/logic): roles, error messages, filters, keyboard navigation. */
import { bulkSummary, planBulk } from '../../web/src/logic/bulk';
import { errorMessageOf } from '../../web/src/logic/errors';
import type { IncidentStatus } from '../../lambdas/core/model/incident';
import { analyticsQuery, emptyListText, exportQuery, listQuery, mergePages, NO_FILTERS, NO_POSTMORTEM_FILTERS, postmortemListQuery, SOURCE_NAMES } from '../../web/src/logic/filters';
import { SOURCES } from '../../lambdas/core/normalize/registry';
import { isTypingTarget, listKey } from '../../web/src/logic/keyboard';
import { can, identityFrom } from '../../web/src/logic/roles';

describe('roles', () => {
  it('a viewer may act on nothing, a responder on incidents, on-call and postmortem drafts, an admin on everything', () => {
    const caps = ['incident.act', 'oncall.override', 'postmortem.edit', 'postmortem.publish', 'status.write', 'maintenance.write'] as const;
    expect(caps.filter((c) => can('viewer', c))).toEqual([]);
    expect(caps.filter((c) => can('responder', c))).toEqual(['incident.act', 'oncall.override', 'postmortem.edit']);
    expect(caps.filter((c) => can('admin', c))).toEqual([...caps]);
  });

  it('reads GET /api/me; a server without it (404) makes the API token an admin; anything else is no identity', () => {
    expect(identityFrom(200, { actor: 'alice', role: 'viewer', via: 'local-user' })).toEqual({ actor: 'alice', role: 'viewer', via: 'local-user' });
    expect(identityFrom(404, { error: { code: 'not_found' } })).toEqual({ actor: 'api', role: 'admin', via: 'api-token' });
    expect(identityFrom(401, {})).toBeNull();
    expect(identityFrom(200, { actor: 'x', role: 'root' })).toBeNull();
  });
});

describe('API error messages', () => {
  it('shows the API message of either error shape', () => {
    expect(errorMessageOf(409, { error: { code: 'conflict', message: 'incident inc-1 is resolved', details: null } })).toBe('incident inc-1 is resolved');
    expect(errorMessageOf(403, { error: 'forbidden', message: 'requires role responder' })).toBe('requires role responder');
    expect(errorMessageOf(502, '')).toBe('request failed with HTTP 502');
    expect(errorMessageOf(401, null)).toBe('not signed in (missing or invalid token)');
  });
});

describe('filters', () => {
  const f = { ...NO_FILTERS, status: 'triggered', severity: 'sev1', team: 'security', source: 'threatstack', tag: 'category:firewall', from: '2026-11-01' };
  it('sends the list API every filter, team and source included (the server applies them), and a page cursor', () => {
    expect(listQuery(f)).toBe('status=triggered&severity=sev1&team=security&source=threatstack&tag=category%3Afirewall&from=2026-11-01&limit=100');
    expect(listQuery({ ...NO_FILTERS, team: ' payments ' }, 100, 'abc')).toBe('team=payments&limit=100&cursor=abc');
    expect(listQuery(NO_FILTERS, 25, null)).toBe('limit=25');
  });

  it('offers exactly the server registry\'s sources', () => {
    expect([...SOURCE_NAMES].sort()).toEqual([...SOURCES].sort());
  });

  it('merges the pages read so far, each item once, in order', () => {
    expect(mergePages([[{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'c' }]], (i) => i.id).map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(mergePages(undefined, (i: { id: string }) => i.id)).toEqual([]);
  });

  it('an empty page with more to read says none found so far, not none', () => {
    expect(emptyListText('incidents', false)).toBe('No incidents match.');
    expect(emptyListText('postmortems', true)).toContain('among the newest read so far');
  });

  it('exports CSV with the same filters (source included) and asks analytics for groups and buckets', () => {
    expect(exportQuery(f)).toBe('format=csv&status=triggered&severity=sev1&tag=category%3Afirewall&from=2026-11-01&source=threatstack');
    expect(analyticsQuery({ ...NO_FILTERS, service: 'db' }, 'team', 'week')).toBe('service=db&groupBy=team&bucket=week');
  });

  it('asks the postmortem list for its filters and a cursor', () => {
    expect(postmortemListQuery(NO_POSTMORTEM_FILTERS)).toBe('limit=50');
    expect(postmortemListQuery({ status: 'in_review', service: 'checkout', team: '' }, 50, 'c1')).toBe('status=in_review&service=checkout&limit=50&cursor=c1');
  });
});

describe('keyboard navigation', () => {
  it('j/k move within the list, Enter opens, a acknowledges, x toggles; nothing before a row is chosen but a move', () => {
    expect(listKey('j', -1, 3)).toEqual({ kind: 'move', index: 0 });
    expect(listKey('j', 2, 3)).toEqual({ kind: 'move', index: 2 });
    expect(listKey('k', 0, 3)).toEqual({ kind: 'move', index: 0 });
    expect(listKey('k', 2, 3)).toEqual({ kind: 'move', index: 1 });
    expect(listKey('Enter', 1, 3)).toEqual({ kind: 'open', index: 1 });
    expect(listKey('a', 1, 3)).toEqual({ kind: 'acknowledge', index: 1 });
    expect(listKey('x', 0, 3)).toEqual({ kind: 'toggle', index: 0 });
    expect(listKey('Enter', -1, 3)).toBeNull();
    expect(listKey('j', 0, 0)).toBeNull();
    expect(listKey('q', 0, 3)).toBeNull();
  });
  it('keys typed into fields are not shortcuts', () => {
    expect(isTypingTarget('INPUT', false)).toBe(true);
    expect(isTypingTarget('TEXTAREA', false)).toBe(true);
    expect(isTypingTarget('DIV', true)).toBe(true);
    expect(isTypingTarget('TR', false)).toBe(false);
  });
});

describe('bulk acknowledge/resolve', () => {
  const status: Record<string, IncidentStatus> = { a: 'triggered', b: 'acknowledged', c: 'resolved', d: 'suppressed' };
  const statusOf = (id: string) => status[id];

  it('sends only the incidents the action applies to (the server rules) and skips the others', () => {
    expect(planBulk('acknowledge', ['a', 'b', 'c', 'd'], statusOf)).toEqual({ send: ['a'], skipped: [{ id: 'b', status: 'acknowledged' }, { id: 'c', status: 'resolved' }, { id: 'd', status: 'suppressed' }] });
    expect(planBulk('resolve', ['a', 'b', 'c', 'd'], statusOf)).toEqual({ send: ['a', 'b', 'd'], skipped: [{ id: 'c', status: 'resolved' }] });
    // Not on the loaded list: the server decides.
    expect(planBulk('resolve', ['zz'], statusOf).send).toEqual(['zz']);
  });

  it('says what was done and what was skipped, apart from failures', () => {
    const plan = planBulk('resolve', ['a', 'b', 'c', 'd'], statusOf);
    expect(bulkSummary('resolve', plan, 0)).toBe('3 resolved; 1 skipped (1 resolved)');
    expect(bulkSummary('resolve', plan, 1)).toBe('2 resolved; 1 skipped (1 resolved)');
    expect(bulkSummary('acknowledge', planBulk('acknowledge', ['a'], statusOf), 0)).toBe('1 acknowledged');
  });
});
