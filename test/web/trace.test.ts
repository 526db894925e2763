/** The decision trace viewer's model (web/src/logic/trace.ts). */
import { step } from '../../lambdas/core/model/trace';
import type { RuleBook } from '../../lambdas/core/rules/rule-book';
import { routingRows, stagesOf, taggingRows } from '../../web/src/logic/trace';

const book: RuleBook = {
  tagging: [{ name: 't1', when: 'a' }, { name: 't2', when: 'b' }, { name: 't3', when: 'c' }],
  routing: [{ name: 'r1', when: 'x', service: 'db' }, { name: 'r2', when: 'y', service: 'security' }, { name: 'r3', when: 'z', service: 'db' }],
  suppression: [],
  defaultRoute: { service: 'platform' },
};
const states = (rows: Array<{ name: string; state: string }>) => rows.map((r) => `${r.name}:${r.state}`);

describe('decision trace viewer', () => {
  it('routing: the matching rule, the ones before it that did not match, the ones after it not reached', () => {
    const steps = [step('route', 'matched', 'routing rule "r2" matched', { rule: 'r2', when: 'y' })];
    expect(states(routingRows(steps, book))).toEqual(['r1:not-matched', 'r2:matched', 'r3:not-reached', 'default:not-reached']);
  });

  it('routing: the default route when no rule matched; a rule that failed to evaluate shows its error', () => {
    const steps = [
      step('route', 'error', 'routing rule "r1" could not be evaluated', { rule: 'r1', error: 'no such key: team' }),
      step('route', 'default', 'no routing rule matched; default route to service platform', { service: 'platform' }),
    ];
    const rows = routingRows(steps, book);
    expect(states(rows)).toEqual(['r1:error', 'r2:not-matched', 'r3:not-matched', 'default:matched']);
    expect(rows[0]!.note).toBe('no such key: team');
    expect(rows[3]).toMatchObject({ isDefault: true, service: 'platform' });
  });

  it('routing and tagging not evaluated when the trace has no such stage (e.g. a stale state change)', () => {
    expect(states(routingRows([step('deduplicate', 'stale', 'older')], book))).toEqual(['r1:not-evaluated', 'r2:not-evaluated', 'r3:not-evaluated', 'default:not-evaluated']);
    expect(states(taggingRows([], book))).toEqual(['t1:not-evaluated', 't2:not-evaluated', 't3:not-evaluated']);
  });

  it('tagging: every rule is evaluated; those that tagged matched', () => {
    const steps = [
      step('classify', 'tagged', 'tagging rule "t1" matched; set x=1', { rule: 't1', tags: { x: '1' } }),
      step('classify', 'tagged', 'tagging rule "t3" matched; set y=2', { rule: 't3', tags: { y: '2' } }),
      step('classify', 'default', 'severity sev2 from the mapping'),
    ];
    expect(states(taggingRows(steps, book))).toEqual(['t1:matched', 't2:not-matched', 't3:matched']);
  });

  it('a rule the trace names that the config no longer has is shown as changed', () => {
    const rows = routingRows([step('route', 'matched', 'gone', { rule: 'old-rule', when: 'true' })], book);
    expect(states(rows)).toEqual(['r1:not-matched', 'r2:not-matched', 'r3:not-matched', 'old-rule:matched', 'default:not-reached']);
    expect(rows[3]!.note).toMatch(/no longer in the config/);
  });

  it('groups consecutive steps by stage, in order', () => {
    const groups = stagesOf([step('fingerprint', 'a', ''), step('classify', 'tagged', ''), step('classify', 'default', ''), step('route', 'default', '')]);
    expect(groups.map((g) => [g.stage, g.steps.length])).toEqual([['fingerprint', 1], ['classify', 2], ['route', 1]]);
  });
});
